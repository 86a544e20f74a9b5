package status_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/lifecycle"
	"github.com/flux-ledger/flux-ledger/generator/status"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// launchedTrade launches the Fabric reference network (examples/fabric) with channel
// trade's members contoso and fabrikam (launch records its genesis config in
// cue/channels.cue), and returns the launched network with
// northwind added to trade in the model: a join pending, no signature recorded.
func launchedTrade(t *testing.T) *model.Network {
	t.Helper()
	repo, _ := testenv.FabricRepo(t)
	file := filepath.Join(repo, "cue", "network.cue")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	const marker = "// members default to every party, consenters to every orderer."
	if !bytes.Contains(data, []byte(marker)) {
		t.Fatalf("examples/fabric/network.cue no longer says %q", marker)
	}
	if err := os.WriteFile(file, bytes.Replace(data, []byte(marker), []byte(`members: ["contoso", "fabrikam"]`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Init(repo, keys.InitOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := generator.Generate(generator.Options{Repo: repo}); err != nil {
		t.Fatal(err)
	}
	if _, err := launch.Launch(repo); err != nil {
		t.Fatal(err)
	}
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	n := result.Network
	ch := n.Fabric.Channels["trade"]
	ch.Members = []string{"contoso", "fabrikam", "northwind"}
	n.Fabric.Channels["trade"] = ch
	return n
}

// clusterServer plays one cluster's API server: it answers the list of pods in any
// namespace with pods (JSON as the API server writes a PodList) and records the
// requests; any other path is a 404.
func clusterServer(t *testing.T, namespace string, pods []corev1.Pod) (string, *[]string) {
	t.Helper()
	var requests []string
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests = append(requests, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
		if r.Method != http.MethodGet || r.URL.Path != "/api/v1/namespaces/"+namespace+"/pods" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`))
			return
		}
		list := corev1.PodList{TypeMeta: metav1.TypeMeta{Kind: "PodList", APIVersion: "v1"}, Items: pods}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(list)
	}))
	t.Cleanup(server.Close)
	return server.URL, &requests
}

// kubeconfig has one context per cluster, named as the cluster, pointing at servers.
func kubeconfig(t *testing.T, servers map[string]string) string {
	t.Helper()
	config := clientcmdapi.NewConfig()
	for cluster, url := range servers {
		config.Clusters[cluster] = &clientcmdapi.Cluster{Server: url}
		config.AuthInfos[cluster] = &clientcmdapi.AuthInfo{Token: "t"}
		config.Contexts[cluster] = &clientcmdapi.Context{Cluster: cluster, AuthInfo: cluster}
	}
	file := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*config, file); err != nil {
		t.Fatal(err)
	}
	return file
}

// summary is an observer's termination message as channel-observe.sh writes it.
func summary(sequence int, msps, consenters []string) string {
	data, _ := json.Marshal(lifecycle.ObserverSummary{Channel: "trade", Sequence: fmt.Sprint(sequence), Members: msps,
		Consensus: "etcdraft", Consenters: consenters, Fetched: "2026-12-06T10:00:00Z"})
	return string(data) + "\n"
}

func pod(name string, phase corev1.PodPhase, finished time.Time, exit int32, message string) corev1.Pod {
	return corev1.Pod{
		TypeMeta: metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(finished.Add(-time.Minute)), Labels: map[string]string{
			lifecycle.LabelComponent: lifecycle.ComponentChannelObserver, lifecycle.LabelChannel: lifecycle.ObserverChannelLabel("trade"),
		}},
		Status: corev1.PodStatus{Phase: phase, ContainerStatuses: []corev1.ContainerStatus{{Name: "lifecycle", State: corev1.ContainerState{
			Terminated: &corev1.ContainerStateTerminated{ExitCode: exit, Message: message, FinishedAt: metav1.NewTime(finished)},
		}}}},
	}
}

// endpoint is where the model says an orderer is dialled: how a config names it.
func endpoint(n *model.Network, node string) string {
	return fmt.Sprintf("%s:%d", n.Nodes[node].Endpoint.Host, n.Nodes[node].Endpoint.Port)
}

// Each member party's observer is read from the cluster of its first peer; status
// names MSP IDs by party and consenters by node, compares the chain with the model
// and the record, and shows the pending join with the signatures it lacks, as plan
// computes them.
func TestStatusShowsEachChannelAsTheObserversReadIt(t *testing.T) {
	n := launchedTrade(t)
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	msps := []string{n.Parties["contoso"].MSPID, n.Parties["fabrikam"].MSPID}
	consenters := []string{endpoint(n, "contoso-orderer-1"), endpoint(n, "fabrikam-orderer-1"), endpoint(n, "northwind-orderer-1")}
	failed := "orderer contoso-orderer-1:7050: failed, trying the next one\nerror: no orderer gave channel trade's config block\n"

	contoso, contosoRequests := clusterServer(t, n.Parties["contoso"].Namespace, []corev1.Pod{pod("o-1", corev1.PodSucceeded, at, 0, summary(0, msps, consenters))})
	fabrikam, _ := clusterServer(t, n.Parties["fabrikam"].Namespace, []corev1.Pod{
		pod("o-1", corev1.PodSucceeded, at.Add(-10*time.Minute), 0, summary(0, msps, consenters)),
		pod("o-2", corev1.PodFailed, at, 1, failed),
	})
	northwind, _ := clusterServer(t, n.Parties["northwind"].Namespace, nil)
	config := kubeconfig(t, map[string]string{"contoso-aks-weu": contoso, "fabrikam-gke-euw3": fabrikam, "northwind-eks-euc1": northwind})

	now := func() time.Time { return at.Add(5 * time.Minute) }
	report := status.Collect(context.Background(), n, status.Options{Kubeconfig: config, Timeout: 5 * time.Second, Now: now})
	if len(report.Channels) != 1 {
		t.Fatalf("channels %+v", report.Channels)
	}
	c := report.Channels[0]
	byParty := map[string]status.ChannelObservation{}
	for _, o := range c.Observations {
		byParty[o.Party] = o
	}
	if o := byParty["contoso"]; o.State != status.ObservedOK || o.Cluster != "contoso-aks-weu" || o.Config.Sequence != 0 ||
		!slices.Equal(o.Config.Members, []string{"contoso", "fabrikam"}) ||
		!slices.Equal(o.Config.Consenters, []string{"contoso-orderer-1", "fabrikam-orderer-1", "northwind-orderer-1"}) || o.Fetched != "2026-12-06T10:00:00Z" {
		t.Errorf("contoso: %+v %+v", o, o.Config)
	}
	if o := byParty["fabrikam"]; o.State != status.ObservedOK || o.Old || o.LastRunFailed != "error: no orderer gave channel trade's config block" {
		t.Errorf("fabrikam: %+v", o)
	}
	if o := byParty["northwind"]; o.State != status.ObservedNone || o.Cause != "no observer run yet" {
		t.Errorf("northwind: %+v", o)
	}
	if c.Disagree || c.OnChain == nil || c.OnChain.Sequence != 0 || c.RecordedFrom != "record" || c.Recorded.Sequence != 0 {
		t.Errorf("channel %+v", c)
	}
	if !slices.Contains(c.Notes, "chain vs model: members not on chain yet: northwind") {
		t.Errorf("notes %q", c.Notes)
	}
	// /Channel/Application's mod_policy is MAJORITY Admins of the two members (Fabric
	// v2.5.16 common/policies/implicitmeta.go: len/2+1): both sign.
	p := c.Pending
	if p == nil || p.Change != "add" || p.Party != "northwind" || p.Sequence != 1 || len(p.Signatures) != 1 ||
		!slices.Equal(p.Signatures[0].Missing, []string{"contoso", "fabrikam"}) || p.Signatures[0].More != 2 {
		t.Fatalf("pending %+v", p)
	}
	// Read-only: one list of the party's observer pods, by label (beside the
	// cluster's own reads).
	var podReads []string
	for _, r := range *contosoRequests {
		if strings.Contains(r, "/pods") {
			podReads = append(podReads, r)
		}
	}
	if len(podReads) != 1 || !strings.HasPrefix(podReads[0], "GET /api/v1/namespaces/"+n.Parties["contoso"].Namespace+"/pods?") ||
		!strings.Contains(podReads[0], "component%3Dchannel-observer") {
		t.Errorf("pod reads %q", podReads)
	}

	var out bytes.Buffer
	if err := report.Table(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"CHANNEL  ON CHAIN  RECORDED    MEMBERS  CONSENTERS  PENDING",
		"trade    0         0 (record)  2 of 3   3 of 3      add northwind -> sequence 1",
		"  trade: northwind (northwind-eks-euc1): no observer run yet",
		"  trade: fabrikam (fabrikam-gke-euw3): sequence 0, members contoso, fabrikam; consenters contoso-orderer-1, fabrikam-orderer-1, northwind-orderer-1, read 2026-12-06T10:00:00Z; the last run failed: error: no orderer gave channel trade's config block",
		"  trade: pending channels/trade/updates/1-add-northwind.pb (add northwind, NorthwindMSP, to config sequence 1): /Channel/Application/Admins (MAJORITY Admins), 2 of ContosoMSP, FabrikamMSP: no signature yet; needs 2 more of: contoso, fabrikam",
	} {
		if !strings.Contains(status.Unwrapped(out.String()), want) {
			t.Errorf("the table lacks %q:\n%s", want, out.String())
		}
	}
}

// Observers that read different configs are said to disagree; a chain ahead of the
// record says to record it; an unreachable cluster and a failed observer say why.
func TestStatusSaysWhenObserversDisagree(t *testing.T) {
	n := launchedTrade(t)
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	consenters := []string{endpoint(n, "contoso-orderer-1"), endpoint(n, "fabrikam-orderer-1"), endpoint(n, "northwind-orderer-1")}
	two := []string{n.Parties["contoso"].MSPID, n.Parties["fabrikam"].MSPID}
	three := append(slices.Clone(two), n.Parties["northwind"].MSPID)

	contoso, _ := clusterServer(t, n.Parties["contoso"].Namespace, []corev1.Pod{pod("o-1", corev1.PodSucceeded, at, 0, summary(1, three, consenters))})
	fabrikam, _ := clusterServer(t, n.Parties["fabrikam"].Namespace, []corev1.Pod{pod("o-1", corev1.PodSucceeded, at, 0, summary(0, two, consenters))})
	northwind, _ := clusterServer(t, n.Parties["northwind"].Namespace, []corev1.Pod{pod("o-1", corev1.PodFailed, at, 1, "error: no orderer gave channel trade's config block\n")})
	// northwind's cluster answers; its observer failed. A fourth context is missing:
	// none here, so each named cluster is reachable.
	config := kubeconfig(t, map[string]string{"contoso-aks-weu": contoso, "fabrikam-gke-euw3": fabrikam, "northwind-eks-euc1": northwind})
	// An hour after the runs: every observation is old.
	c := status.Collect(context.Background(), n, status.Options{Kubeconfig: config, Timeout: 5 * time.Second,
		Now: func() time.Time { return at.Add(time.Hour) }}).Channels[0]
	if !c.Disagree || c.OnChain == nil || c.OnChain.Sequence != 1 {
		t.Fatalf("channel %+v", c)
	}
	for _, o := range c.Observations {
		if o.Config != nil && !o.Old {
			t.Errorf("%s's observation of an hour ago is not old", o.Party)
		}
	}
	var out bytes.Buffer
	if err := (&status.Report{Channels: []status.Channel{c}}).Table(&out); err != nil {
		t.Fatal(err)
	}
	if want := "read 2026-12-06T10:00:00Z (over 30m ago: the observer has not succeeded since)"; !strings.Contains(out.String(), want) {
		t.Errorf("the table lacks %q:\n%s", want, out.String())
	}
	want := []string{
		"observers disagree: contoso sees sequence 1 (members contoso, fabrikam, northwind; consenters contoso-orderer-1, fabrikam-orderer-1, northwind-orderer-1); fabrikam sees sequence 0 (members contoso, fabrikam; consenters contoso-orderer-1, fabrikam-orderer-1, northwind-orderer-1)",
		"the chain is at config sequence 1, the record (cue/channels.cue) at 0: record it (flux-ledger channels record --channel trade --from <the config block>)",
		"the chain is at config sequence 1, at or past the pending update's (add northwind, sequence 1): record the channel before signing anything",
	}
	for _, w := range want {
		if !slices.Contains(c.Notes, w) {
			t.Errorf("notes lack %q:\n%s", w, strings.Join(c.Notes, "\n"))
		}
	}
	for _, o := range c.Observations {
		if o.Party == "northwind" && (o.State != status.ObservedFailed || o.Cause != "observer failed: error: no orderer gave channel trade's config block") {
			t.Errorf("northwind: %+v", o)
		}
	}

	// Without a context for northwind's cluster, its observation says so.
	config = kubeconfig(t, map[string]string{"contoso-aks-weu": contoso, "fabrikam-gke-euw3": fabrikam})
	c = status.Collect(context.Background(), n, status.Options{Kubeconfig: config, Timeout: 5 * time.Second}).Channels[0]
	for _, o := range c.Observations {
		if o.Party == "northwind" && (o.State != status.ObservedUnreadable || !strings.Contains(o.Cause, `no kube context "northwind-eks-euc1"`)) {
			t.Errorf("northwind without a context: %+v", o)
		}
	}
}

// A hostile cluster's answer: a pod whose status is not a pod status, and runs whose
// message carries a raw escape sequence (not the observer's JSON: encoding/json
// refuses a control character in a string). Status reads the rest and
// says what it refused; nothing crashes.
func TestStatusSurvivesAHostileObserverCluster(t *testing.T) {
	n := launchedTrade(t)
	namespace := n.Parties["contoso"].Namespace
	label := lifecycle.ObserverChannelLabel("trade")
	garbled := `{"kind":"PodList","apiVersion":"v1","items":[` +
		`{"metadata":{"name":"x","labels":{"ledger.flux-ledger.dev/channel":"` + label + `"}},"status":"Succeeded"},` +
		`{"metadata":{"name":"y","labels":{"ledger.flux-ledger.dev/channel":"` + label + `"}},"status":{"phase":"Succeeded","containerStatuses":[{"name":"lifecycle","state":{"terminated":{"exitCode":0,"finishedAt":"2026-12-06T10:00:00Z","message":"{\"channel\":\"trade\",\"sequence\":\"1\u001b[2J\"}"}}}]}}]}`
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/api/v1/namespaces/"+namespace+"/pods" {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`))
			return
		}
		w.Write([]byte(garbled))
	}))
	t.Cleanup(server.Close)
	config := kubeconfig(t, map[string]string{"contoso-aks-weu": server.URL})
	report := status.Collect(context.Background(), n, status.Options{Kubeconfig: config, Timeout: 5 * time.Second})
	o := report.Channels[0].Observations[0]
	if o.Party != "contoso" || o.State != status.ObservedUnreadable || !strings.HasPrefix(o.Cause, `observer message not understood: not the observer's JSON: invalid character '\x1b' in string literal`) {
		t.Errorf("contoso: %+v", o)
	}
	var out bytes.Buffer
	if err := report.Table(&out); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(out.String(), '\x1b') || !strings.Contains(out.String(), `invalid character '\\x1b' in string literal`) {
		t.Errorf("the table:\n%s", out.String())
	}
}

// Two changes pending against one channel: plan refuses them, and status says so
// instead of a pending update.
func TestStatusShowsWhatPlanRefuses(t *testing.T) {
	n := launchedTrade(t)
	ch := n.Fabric.Channels["trade"]
	ch.Consenters = []string{"contoso-orderer-1", "fabrikam-orderer-1"}
	n.Fabric.Channels["trade"] = ch
	config := kubeconfig(t, map[string]string{})
	r := status.Collect(context.Background(), n, status.Options{Kubeconfig: config, Timeout: 5 * time.Second})
	c := r.Channels[0]
	if c.Pending != nil || len(c.Refused) != 1 || !strings.Contains(c.Refused[0], "channel trade: 2 changes pending against its config (add northwind, remove-consenter northwind-orderer-1)") {
		t.Fatalf("pending %+v, refused %q", c.Pending, c.Refused)
	}
	var out bytes.Buffer
	if err := r.Table(&out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "refused by plan") || !strings.Contains(out.String(), "  trade: plan refuses: channel trade: 2 changes pending") {
		t.Errorf("the table:\n%s", out.String())
	}
}
