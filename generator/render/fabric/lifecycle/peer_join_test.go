package lifecycle

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The peer join asks `peer channel list` first, which prints "Channels peers has
// joined: " and then one channel name a line (Fabric v2.5.16 and v3.1.5
// internal/peer/channel/list.go), and joins with `peer channel join --blockpath`
// (-b; internal/peer/channel/channel.go, join.go). A join racing another finds the
// ledger made: "ledger [<channel>] already exists" (core/ledger/kvledger/
// kv_ledger_provider.go), which is success too.
func TestPeerJoinJoinsOnceThenSkips(t *testing.T) {
	objects := render(t, testNetwork(), "a")
	job := jobAt(t, objects, "join-a-peer1-trade.eu.yaml")
	bin, state := fakeCLIs(t)
	writeFile(t, state, "joined", "other\n")

	out, err := runJob(t, job, bin, state)
	if err != nil {
		t.Fatalf("first run: %v\n%s", err, out)
	}
	want := []string{
		"peer@a-peer1:7051 channel list",
		"peer@a-peer1:7051 channel join --blockpath " + state + "/home/trade.eu.block",
	}
	if got := calls(t, state); !slices.Equal(got, want) {
		t.Errorf("calls %q, want %q", got, want)
	}
	// The ConfigMap holds the block compressed; the peer reads it whole.
	if got, err := os.ReadFile(filepath.Join(state, "joined-block")); err != nil || string(got) != "genesis block of trade.eu" {
		t.Errorf("the peer joined from %q (%v), want the channel's genesis block", got, err)
	}

	out, err = runJob(t, job, bin, state)
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	if got := calls(t, state); !slices.Equal(got, want[:1]) {
		t.Errorf("second run calls %q, want only the list", got)
	}
	if !strings.Contains(out, "already joined channel trade.eu") {
		t.Errorf("log:\n%s", out)
	}
}

// A channel whose name only starts like the wanted one is not mistaken for it.
func TestPeerJoinMatchesWholeChannelName(t *testing.T) {
	job := jobAt(t, render(t, testNetwork(), "a"), "join-a-peer0-trade.eu.yaml")
	bin, state := fakeCLIs(t)
	writeFile(t, state, "joined", "trade.eu2\ntrade\n")
	if out, err := runJob(t, job, bin, state); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := calls(t, state); len(got) != 2 {
		t.Errorf("did not join: %q", got)
	}
}

// The race: the list did not show the channel, the join finds the ledger made.
func TestPeerJoinAcceptsLedgerAlreadyExists(t *testing.T) {
	job := jobAt(t, render(t, testNetwork(), "a"), "join-a-peer0-trade.eu.yaml")
	bin, state := fakeCLIs(t)
	// A list that hides the channel, then a join that finds it.
	writeFile(t, bin, "peer", "#!/usr/bin/env bash\n"+
		`case "$1 $2" in "channel list") echo "Channels peers has joined: ";; `+
		`"channel join") echo "Error: proposal failed (err: bad proposal response 500: cannot create ledger from genesis block: ledger [trade.eu] already exists with state [ACTIVE])" >&2; exit 1;; esac`+"\n")
	if out, err := runJob(t, job, bin, state); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// Any other join failure fails the Job (and it is retried).
	writeFile(t, bin, "peer", "#!/usr/bin/env bash\n"+
		`case "$1 $2" in "channel list") echo "Channels peers has joined: ";; `+
		`"channel join") echo "Error: access denied: channel [] creator org unknown" >&2; exit 1;; esac`+"\n")
	if out, err := runJob(t, job, bin, state); err == nil {
		t.Errorf("a refused join succeeded\n%s", out)
	}
}

// The peer CLI reads its settings from CORE_-prefixed variables, "." → "_" (Fabric
// v2.5.16 cmd/peer/main.go), and acts as the party's admin: its MSP ID and MSP
// directory (internal/peer/common/common.go InitCmd: peer.localMspId,
// peer.mspConfigPath), over TLS to the peer's address (internal/peer/common/
// peerclient.go: peer.address, peer.tls.enabled, peer.tls.rootcert.file, and the client
// certificate peer.tls.clientCert.file / clientKey.file when peer.tls.clientAuthRequired).
func TestPeerJobsActAsTheAdmin(t *testing.T) {
	job := jobAt(t, render(t, testNetwork(), "b"), "join-b-peer0-trade.eu.yaml")
	c := job.Spec.Template.Spec.Containers[0]
	for name, want := range map[string]string{
		"CORE_PEER_LOCALMSPID":             "BMSP",
		"CORE_PEER_MSPCONFIGPATH":          "/etc/flux-ledger/msp",
		"CORE_PEER_ADDRESS":                "b-peer0:7051",
		"CORE_PEER_TLS_ENABLED":            "true",
		"CORE_PEER_TLS_ROOTCERT_FILE":      "/etc/flux-ledger/tls/ca.pem",
		"CORE_PEER_TLS_CLIENTAUTHREQUIRED": "true",
		"CORE_PEER_TLS_CLIENTCERT_FILE":    "/etc/flux-ledger/tls/client.pem",
		"CORE_PEER_TLS_CLIENTKEY_FILE":     "/etc/flux-ledger/tls/client.key",
		// The tools image's own (images/tools/Dockerfile: ENV FABRIC_CFG_PATH).
		"FABRIC_CFG_PATH": "/etc/hyperledger/fabric",
	} {
		if got := envOf(c, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	// The MSP directory the peer CLI loads (msp/configbuilder.go: cacerts, signcerts,
	// keystore, tlscacerts, config.yaml), assembled from the party's public files and
	// its admin Secret.
	var files []string
	for _, v := range job.Spec.Template.Spec.Volumes {
		if v.Name != "msp" {
			continue
		}
		for _, s := range v.Projected.Sources {
			switch {
			case s.ConfigMap != nil:
				files = append(files, s.ConfigMap.Name+":"+s.ConfigMap.Items[0].Key+"->"+s.ConfigMap.Items[0].Path)
			case s.Secret != nil:
				files = append(files, s.Secret.Name+":"+s.Secret.Items[0].Key+"->"+s.Secret.Items[0].Path)
			}
		}
	}
	want := []string{
		"fabric-org:ca.pem->cacerts/ca.pem",
		"fabric-org:tlsca.pem->tlscacerts/tlsca.pem",
		"fabric-org:config.yaml->config.yaml",
		"fabric-org:admin.pem->signcerts/admin.pem",
		"msp-admin:sign.key->keystore/priv_sk",
	}
	if !slices.Equal(files, want) {
		t.Errorf("msp volume %q, want %q", files, want)
	}
}
