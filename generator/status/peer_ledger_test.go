package status_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/flux-ledger/flux-ledger/generator/status"
)

// peerOperations plays a Fabric peer's operations service /metrics with the client
// library Fabric itself serves it with: Fabric v2.5.16 core/operations/system.go
// registers promhttp.Handler() at /metrics, and common/metrics/prometheus/provider.go
// turns common/ledger/blkstorage/metrics.go's blockchainHeightOpts (Namespace
// "ledger", Name "blockchain_height", label "channel", Help "Height of the chain in
// blocks.") into a client_golang GaugeVec. A second family stands for the rest of
// the peer's metrics.
func peerOperations(t *testing.T, heights map[string]float64) http.Handler {
	t.Helper()
	registry := prometheus.NewRegistry()
	height := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "ledger", Name: "blockchain_height", Help: "Height of the chain in blocks."}, []string{"channel"})
	// gossip/metrics/metrics.go: gossip_membership_total_peers_known{channel}.
	peers := prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "gossip", Subsystem: "membership", Name: "total_peers_known", Help: "Total known peers"}, []string{"channel"})
	registry.MustRegister(height, peers)
	for channel, h := range heights {
		height.WithLabelValues(channel).Set(h)
		peers.WithLabelValues(channel).Set(2)
	}
	return promhttp.HandlerFor(registry, promhttp.HandlerOpts{})
}

// proxyCluster plays a cluster's API server in front of its peers' operations
// services: GET /api/v1/namespaces/<ns>/services/<peer>:operations/proxy/<path> goes
// to the peer's handler with <path>, as the API server's service proxy forwards it;
// a peer whose handler is nil is refused as an API server refuses a user without
// get on services/proxy (403, a metav1.Status; apiserver
// pkg/endpoints/handlers/responsewriters/errors.go Forbidden). It records the
// requests it answered.
func proxyCluster(t *testing.T, namespace string, peers map[string]http.Handler) (string, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var requests []string
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests = append(requests, r.Method+" "+r.URL.Path)
		mu.Unlock()
		prefix := "/api/v1/namespaces/" + namespace + "/services/"
		service, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, prefix), "/proxy")
		peer, port, _ := strings.Cut(service, ":")
		handler, known := peers[peer]
		w.Header().Set("Content-Type", "application/json")
		switch {
		case !strings.HasPrefix(r.URL.Path, prefix) || !known || port != "operations":
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","reason":"NotFound","code":404}`))
		case handler == nil:
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"services \"%s\" is forbidden: User \"reader\" cannot get resource \"services/proxy\" in API group \"\" in the namespace \"%s\"","reason":"Forbidden","details":{"name":"%s","kind":"services"},"code":403}`, peer, namespace, peer)
		default:
			w.Header().Del("Content-Type")
			r.URL.Path = rest
			handler.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(server.Close)
	return server.URL, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), requests...)
	}
}

// Each peer's height on each channel comes from its operations service through its
// own cluster's API server; the drift is against the highest peer of any party; a
// party whose API server refuses the proxy shows as not shared; the table and the
// JSON lead with the parties behind.
func TestStatusReadsEachPeersLedgerHeight(t *testing.T) {
	n := launchedTrade(t)
	contoso, contosoRequests := proxyCluster(t, n.Parties["contoso"].Namespace, map[string]http.Handler{"contoso-peer-1": peerOperations(t, map[string]float64{"trade": 120})})
	fabrikam, _ := proxyCluster(t, n.Parties["fabrikam"].Namespace, map[string]http.Handler{"fabrikam-peer-1": peerOperations(t, map[string]float64{"trade": 97})})
	northwind, _ := proxyCluster(t, n.Parties["northwind"].Namespace, map[string]http.Handler{"northwind-peer-1": nil})
	config := kubeconfig(t, map[string]string{"contoso-aks-weu": contoso, "fabrikam-gke-euw3": fabrikam, "northwind-eks-euc1": northwind})
	report := status.Collect(context.Background(), n, status.Options{Kubeconfig: config, Timeout: 5 * time.Second})

	byPeer := map[string]status.PeerLedger{}
	for _, l := range report.PeerLedgers {
		byPeer[l.Peer] = l
	}
	if l := byPeer["contoso-peer-1"]; l.State != status.LedgerRead || l.Party != "contoso" || l.Cluster != "contoso-aks-weu" ||
		len(l.Channels) != 1 || l.Channels[0] != (status.ChannelHeight{Channel: "trade", Height: 120, Behind: 0}) {
		t.Errorf("contoso: %+v", l)
	}
	if l := byPeer["fabrikam-peer-1"]; l.State != status.LedgerRead || len(l.Channels) != 1 || l.Channels[0] != (status.ChannelHeight{Channel: "trade", Height: 97, Behind: 23}) {
		t.Errorf("fabrikam: %+v", l)
	}
	// northwind is not a member of trade on chain yet: no channel is expected of it.
	if l := byPeer["northwind-peer-1"]; l.State != status.LedgerNotShared || len(l.Channels) != 0 ||
		l.Cause != "not shared: the API server refuses the proxy to the peer's metrics (get on services/proxy in "+n.Parties["northwind"].Namespace+")" {
		t.Errorf("northwind: %+v", l)
	}
	want := "GET /api/v1/namespaces/" + n.Parties["contoso"].Namespace + "/services/contoso-peer-1:operations/proxy/metrics"
	found := false
	for _, r := range contosoRequests() {
		found = found || r == want
		if strings.Contains(r, "/proxy/") && r != want {
			t.Errorf("unexpected proxied request %q", r)
		}
	}
	if !found {
		t.Errorf("no %q among %q", want, contosoRequests())
	}

	var out bytes.Buffer
	if err := report.Table(&out); err != nil {
		t.Fatal(err)
	}
	table := out.String()
	section := table[strings.Index(table, "LEDGER"):]
	section = section[:strings.Index(section, "\n\n")+1]
	wantTable := strings.Join([]string{
		"LEDGER     PEER              CLUSTER             CHANNEL  HEIGHT  BEHIND  MESSAGE",
		"fabrikam   fabrikam-peer-1   fabrikam-gke-euw3   trade    97      23",
		// 160 columns (status.Width): the row is clipped and its cause given in full
		// under the table.
		"northwind  northwind-peer-1  northwind-eks-euc1  -        -       -       not shared: the API server refuses the proxy to the peer's metrics (get on services...",
		"contoso    contoso-peer-1    contoso-aks-weu     trade    120     0",
		"  northwind-peer-1: not shared: the API server refuses the proxy to the peer's metrics (get on services/proxy in " + n.Parties["northwind"].Namespace + ")",
	}, "\n") + "\n"
	if section != wantTable {
		t.Errorf("ledger section:\n%s\nwant:\n%s", section, wantTable)
	}

	var js bytes.Buffer
	if err := report.JSON(&js); err != nil {
		t.Fatal(err)
	}
	var back struct {
		PeerLedgers []map[string]any `json:"peerLedgers"`
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.PeerLedgers) != 3 {
		t.Fatalf("peerLedgers in JSON: %s", js.String())
	}
	got, _ := json.Marshal(back.PeerLedgers[1])
	if string(got) != `{"channels":[{"behind":23,"channel":"trade","height":97}],"cluster":"fabrikam-gke-euw3","party":"fabrikam","peer":"fabrikam-peer-1","state":"read"}` {
		t.Errorf("fabrikam in JSON: %s", got)
	}
}

// A peer that has no ledger of a channel its party is a member of says so; a cluster
// whose answer is not a peer's metrics (garbled, oversized), whose height is not one
// Fabric can set, or that has no kube context is unreadable with the reason; nothing
// crashes, and no answer leaks into another party's reading.
func TestStatusSaysWhatAPeersMetricsLack(t *testing.T) {
	n := launchedTrade(t)
	garbled := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ledger_blockchain_height{channel=\"trade\"} \x1b[2J\n"))
	})
	contoso, _ := proxyCluster(t, n.Parties["contoso"].Namespace, map[string]http.Handler{"contoso-peer-1": garbled})
	// fabrikam's peer reports another channel only: it has not joined trade.
	fabrikam, _ := proxyCluster(t, n.Parties["fabrikam"].Namespace, map[string]http.Handler{"fabrikam-peer-1": peerOperations(t, map[string]float64{"other": 5})})
	northwind, _ := proxyCluster(t, n.Parties["northwind"].Namespace, map[string]http.Handler{"northwind-peer-1": peerOperations(t, map[string]float64{"trade": 1.5})})
	config := kubeconfig(t, map[string]string{"contoso-aks-weu": contoso, "fabrikam-gke-euw3": fabrikam, "northwind-eks-euc1": northwind})
	report := status.Collect(context.Background(), n, status.Options{Kubeconfig: config, Timeout: 5 * time.Second})
	byPeer := map[string]status.PeerLedger{}
	for _, l := range report.PeerLedgers {
		byPeer[l.Peer] = l
	}
	if l := byPeer["contoso-peer-1"]; l.State != status.LedgerUnreadable || !strings.Contains(l.Cause, "metrics not understood") {
		t.Errorf("contoso: %+v", l)
	}
	if l := byPeer["fabrikam-peer-1"]; l.State != status.LedgerRead || len(l.Channels) != 1 || l.Channels[0] != (status.ChannelHeight{Channel: "trade", Missing: true}) {
		t.Errorf("fabrikam: %+v", l)
	}
	if l := byPeer["northwind-peer-1"]; l.State != status.LedgerUnreadable || !strings.Contains(l.Cause, `ledger_blockchain_height{channel="trade"} 1.5 is not a channel's height`) {
		t.Errorf("northwind: %+v", l)
	}
	// An answer larger than any peer's metrics is refused unread; a cluster without
	// a kube context says which to set.
	huge := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		line := []byte("# HELP padding " + strings.Repeat("x", 1<<20) + "\n")
		for range 9 {
			w.Write(line)
		}
	})
	fabrikam, _ = proxyCluster(t, n.Parties["fabrikam"].Namespace, map[string]http.Handler{"fabrikam-peer-1": huge})
	config = kubeconfig(t, map[string]string{"fabrikam-gke-euw3": fabrikam})
	for _, l := range status.Collect(context.Background(), n, status.Options{Kubeconfig: config, Timeout: 5 * time.Second}).PeerLedgers {
		switch l.Peer {
		case "fabrikam-peer-1":
			if l.State != status.LedgerUnreadable || !strings.Contains(l.Cause, "more than 8388608 bytes: not a peer's metrics") {
				t.Errorf("fabrikam, oversized: %+v", l)
			}
		case "contoso-peer-1":
			if l.State != status.LedgerUnreadable || !strings.Contains(l.Cause, `no kube context "contoso-aks-weu"`) {
				t.Errorf("contoso, no context: %+v", l)
			}
		}
	}

	var out bytes.Buffer
	if err := report.Table(&out); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(out.String(), '\x1b') || !strings.Contains(out.String(), "fabrikam   fabrikam-peer-1   fabrikam-gke-euw3   trade    -       -       no ledger of the channel: the peer has not joined it") {
		t.Errorf("the table:\n%s", out.String())
	}
}
