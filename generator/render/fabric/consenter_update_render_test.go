package fabric_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// launchedWithConsenters freezes channel trade's genesis block with the given
// consenters, then sets the model's consenters to want.
func launchedWithConsenters(t *testing.T, launched, want []string) *model.Network {
	t.Helper()
	return launchedAs(t, func(ch *model.Channel, list []string) { ch.Consenters = list }, launched, want)
}

// A consenter added to a running channel renders its update beside a join's, named
// by the orderer: the model's node, endpoint and TLS certificate in the consenter set,
// its party's orderer org added (its first consenter on the channel), and the
// signatures of /Channel/Orderer/Admins, a majority of the current orderer orgs.
func TestConsenterAddRendersUpdate(t *testing.T) {
	n := launchedWithConsenters(t, []string{"contoso-orderer-1", "fabrikam-orderer-1"}, []string{"contoso-orderer-1", "fabrikam-orderer-1", "northwind-orderer-1"})
	files, err := fabric.ChannelUpdates(n)
	if err != nil {
		t.Fatal(err)
	}
	pb, summary := "channels/trade/updates/1-add-consenter-northwind-orderer-1.pb", "channels/trade/updates/1-add-consenter-northwind-orderer-1.yaml"
	if len(files) != 2 || files[pb] == nil || files[summary] == nil {
		t.Fatalf("rendered %d files, want %s and its summary", len(files), pb)
	}
	for _, s := range []string{"change: add-consenter", "node: northwind-orderer-1", "party: northwind", "organisation: NorthwindMSP",
		"policy: /Channel/Orderer/Admins", "rule: MAJORITY Admins", "required: 2", "modifies: /Channel/Orderer, /Channel/Orderer/ConsensusType",
	} {
		if !strings.Contains(string(files[summary]), s) {
			t.Errorf("summary lacks %q:\n%s", s, files[summary])
		}
	}
	var parsed struct{ Steps []string }
	if err := yaml.Unmarshal(files[summary], &parsed); err != nil {
		t.Fatal(err)
	}
	// Fabric's step 1 (docs/source/raft_configuration.md): without its orderer org on
	// the channel, the node cannot pull blocks as a follower before the update.
	if len(parsed.Steps) != 4 || !strings.Contains(parsed.Steps[0], "NorthwindMSP orders nothing on the channel yet") || !strings.Contains(parsed.Steps[0], "cannot replicate as a follower first") {
		t.Errorf("steps %q", parsed.Steps)
	}

	u, err := fabric.ChannelUpdate(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Requirements) != 1 || !slices.Equal(u.Requirements[0].Orgs, []string{"ContosoMSP", "FabrikamMSP"}) || !u.NewOrdererOrg {
		t.Errorf("requirements %+v", u.Requirements)
	}
	// The update is the one configtx computes from the model's certificates.
	block, _ := base64.StdEncoding.DecodeString(n.Fabric.Channels["trade"].GenesisBlock)
	_, current, err := configtx.DecodeConfigBlock(block)
	if err != nil {
		t.Fatal(err)
	}
	node := n.Nodes["northwind-orderer-1"]
	if !bytes.Contains(files[pb], []byte(n.Identities["northwind-orderer-1"].TLSCert)) || !bytes.Contains(files[pb], []byte(node.Endpoint.Host)) {
		t.Error("the envelope lacks the orderer's TLS certificate or host")
	}
	updated, err := configtx.WithConsenter(current, mustOrdererOrg(t, n, "northwind"), configtx.NewConsenter{
		Host: node.Endpoint.Host, Port: uint32(node.Endpoint.Port), TLSCert: []byte(n.Identities["northwind-orderer-1"].TLSCert), Identity: []byte(n.Identities["northwind-orderer-1"].SignCert),
	})
	if err != nil {
		t.Fatal(err)
	}
	want, err := configtx.ComputeUpdate("trade", current, updated)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(files[pb], want.Envelope()) {
		t.Error("the rendered envelope is not configtx's update of the model's consenter")
	}
	again, err := fabric.ChannelUpdates(n)
	if err != nil {
		t.Fatal(err)
	}
	for p, data := range files {
		if !bytes.Equal(again[p], data) {
			t.Errorf("%s differs between two renders", p)
		}
	}
}

// A party's last consenter removed takes its orderer org out of /Channel/Orderer, as
// the genesis block lists only parties owning a consenter; the state read back names
// the remaining consenters.
func TestConsenterRemoveRendersUpdate(t *testing.T) {
	all := []string{"contoso-orderer-1", "fabrikam-orderer-1", "northwind-orderer-1"}
	n := launchedWithConsenters(t, all, all[:2])
	u, err := fabric.ChannelUpdate(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "channels/trade/updates/1-remove-consenter-northwind-orderer-1.pb" || u.Change.Kind != fabric.KindRemoveConsenter || u.Change.Party != "northwind" {
		t.Errorf("update %s, change %+v", u.Path, u.Change)
	}
	// Three orderer orgs on chain, the leaving one included: 2 of 3.
	if len(u.Requirements) != 1 || u.Requirements[0].Threshold != 2 || len(u.Requirements[0].Orgs) != 3 {
		t.Errorf("requirements %+v", u.Requirements)
	}
	block, _ := base64.StdEncoding.DecodeString(n.Fabric.Channels["trade"].GenesisBlock)
	_, current, _ := configtx.DecodeConfigBlock(block)
	if _, err := configtx.WithoutConsenter(current, "NorthwindMSP", "", true); err == nil {
		t.Fatal("an empty endpoint removed a consenter")
	}
	node := n.Nodes["northwind-orderer-1"]
	updated, err := configtx.WithoutConsenter(current, "NorthwindMSP", node.Endpoint.Host+":"+strconv.Itoa(node.Endpoint.Port), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := updated.Channel.Groups["Orderer"].Groups["NorthwindMSP"]; ok {
		t.Error("the party's orderer org stays after its last consenter left")
	}
	state, err := fabric.StateOf(n, "trade", updated)
	if err != nil || !slices.Equal(state.Consenters, all[:2]) {
		t.Errorf("state after the update: %+v (%v)", state.Consenters, err)
	}
}

// A party leaving while one of its orderers is still a consenter is refused, naming
// the orderer: it would keep ordering the channel it left.
func TestMemberLeavingWithConsentersRefused(t *testing.T) {
	n := launchedWith(t, []string{"contoso", "fabrikam", "northwind"}, []string{"contoso", "fabrikam"})
	_, err := fabric.PendingChanges(n, "trade")
	if err == nil || !strings.Contains(err.Error(), "party northwind leaves the channel but its orderers northwind-orderer-1 are still consenters") {
		t.Errorf("err = %v", err)
	}
	if files, err := fabric.ChannelUpdates(n); err != nil || len(files) != 0 {
		t.Errorf("rendered %d files (%v); want none, plan says why", len(files), err)
	}
}

// mustOrdererOrg is a party's org as ChannelConfig lists it among orderer orgs.
func mustOrdererOrg(t *testing.T, n *model.Network, party string) configtx.Org {
	t.Helper()
	ch := n.Fabric.Channels["trade"]
	saved := ch.Consenters
	ch.Consenters = []string{party + "-orderer-1"}
	n.Fabric.Channels["trade"] = ch
	defer func() { ch.Consenters = saved; n.Fabric.Channels["trade"] = ch }()
	c, err := fabric.ChannelConfig(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	return c.OrdererOrgs[0]
}

// On a SmartBFT channel the model's orderer enters the consenter mapping with the
// next ID, its party's MSP ID and its signing certificate (the identity it signs
// blocks with, Fabric v3.1.5 docs/source/bft_configuration.md), and the state read
// back from the updated config names it.
func TestBFTConsenterAddRendersUpdate(t *testing.T) {
	n := referenceNetwork(t)
	n.Consensus.Algorithm = model.SmartBFT
	n.Fabric.Version = model.Fabric31
	ch := n.Fabric.Channels["trade"]
	ch.Consenters = []string{"contoso-orderer-1", "fabrikam-orderer-1"}
	n.Fabric.Channels["trade"] = ch
	block, err := fabric.GenesisBlock(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	ch.GenesisBlock = base64.StdEncoding.EncodeToString(block)
	ch.Consenters = []string{"contoso-orderer-1", "fabrikam-orderer-1", "northwind-orderer-1"}
	n.Fabric.Channels["trade"] = ch

	u, err := fabric.ChannelUpdate(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "channels/trade/updates/1-add-consenter-northwind-orderer-1.pb" {
		t.Errorf("path %s", u.Path)
	}
	_, current, err := configtx.DecodeConfigBlock(block)
	if err != nil {
		t.Fatal(err)
	}
	node, id := n.Nodes["northwind-orderer-1"], n.Identities["northwind-orderer-1"]
	updated, err := configtx.WithConsenter(current, mustOrdererOrg(t, n, "northwind"), configtx.NewConsenter{
		Host: node.Endpoint.Host, Port: uint32(node.Endpoint.Port), TLSCert: []byte(id.TLSCert), Identity: []byte(id.SignCert),
	})
	if err != nil {
		t.Fatal(err)
	}
	want, err := configtx.ComputeUpdate("trade", current, updated)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(u.Envelope, want.Envelope()) {
		t.Error("the rendered envelope is not configtx's update of the model's consenter")
	}
	orderers := want.WriteSet.Groups["Orderer"].Values["Orderers"]
	if orderers == nil || !bytes.Contains(orderers.Content, []byte(id.SignCert)) || !bytes.Contains(orderers.Content, []byte("NorthwindMSP")) {
		t.Error("the mapping lacks the orderer's signing certificate or MSP ID")
	}
	state, err := fabric.StateOf(n, "trade", updated)
	if err != nil || !slices.Equal(state.Consenters, ch.Consenters) {
		t.Errorf("state after the update: %+v (%v)", state.Consenters, err)
	}
}

// An orderer deleted from the model while the record still lists it as a consenter is
// an error naming it: the update that removes it needs the node's endpoint, and the
// node must run until the consenters no longer expect it.
func TestRecordedConsenterNodeRemovedRefused(t *testing.T) {
	all := []string{"contoso-orderer-1", "fabrikam-orderer-1", "northwind-orderer-1"}
	n := launchedWithConsenters(t, all, all)
	block, _ := base64.StdEncoding.DecodeString(n.Fabric.Channels["trade"].GenesisBlock)
	_, config, err := configtx.DecodeConfigBlock(block)
	if err != nil {
		t.Fatal(err)
	}
	state, err := fabric.StateOf(n, "trade", config)
	if err != nil {
		t.Fatal(err)
	}
	ch := n.Fabric.Channels["trade"]
	ch.OnChain, ch.Consenters = &state, all[:2]
	n.Fabric.Channels["trade"] = ch
	delete(n.Nodes, "northwind-orderer-1")
	if _, err := fabric.PendingChanges(n, "trade"); err == nil || !strings.Contains(err.Error(), "orderer northwind-orderer-1 is still a consenter on chain") {
		t.Errorf("err = %v", err)
	}
}

// reissue returns a certificate for the public key of certPEM (or, with newKey, for a
// fresh key), as keys renew (or renew --rekey) gives a consenter.
func reissue(t *testing.T, certPEM string, newKey bool) string {
	t.Helper()
	old, err := msp.ParseCertPEM([]byte(certPEM))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub := old.PublicKey
	if newKey {
		pub = signer.Public()
	}
	template := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: old.Subject, DNSNames: old.DNSNames, NotBefore: old.NotBefore, NotAfter: old.NotAfter.Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, template, template, pub, signer)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// A consenter whose TLS certificate the model renewed (keys renew) has its update
// computed: one consenter at a time, the others queued; the summary says whether the
// node keeps working meanwhile (same key) or not (new key).
func TestConsenterRenewalIsPending(t *testing.T) {
	all := []string{"contoso-orderer-1", "fabrikam-orderer-1", "northwind-orderer-1"}
	for _, newKey := range []bool{false, true} {
		n := launchedWithConsenters(t, all, all)
		for _, node := range []string{"northwind-orderer-1", "contoso-orderer-1"} {
			id := n.Identities[node]
			id.TLSCert = reissue(t, id.TLSCert, newKey)
			n.Identities[node] = id
		}
		changes, err := fabric.PendingChanges(n, "trade")
		if err != nil {
			t.Fatal(err)
		}
		// The config lists consenters in genesis order: contoso's first.
		if len(changes) != 1 || changes[0].Kind != "renew-consenter" || changes[0].Node != "contoso-orderer-1" {
			t.Fatalf("pending %+v, want contoso-orderer-1's renewal alone (northwind's queued)", changes)
		}
		files, err := fabric.ChannelUpdates(n)
		if err != nil {
			t.Fatal(err)
		}
		summary := string(files["channels/trade/updates/1-renew-consenter-contoso-orderer-1.yaml"])
		want := "keeps its key, so the other consenters go on accepting it"
		if newKey {
			want = "has a new key: from the moment contoso-orderer-1 runs it until this update lands, the other consenters refuse its connections"
		}
		if !strings.Contains(strings.Join(strings.Fields(summary), " "), want) || !strings.Contains(summary, "policy: /Channel/Orderer/Admins") {
			t.Errorf("new key %t: summary lacks %q:\n%s", newKey, want, summary)
		}

		// A renewal and a member change together are two changes: refused.
		ch := n.Fabric.Channels["trade"]
		ch.Members = []string{"contoso", "fabrikam"}
		n.Fabric.Channels["trade"] = ch
		if changes, _ := fabric.PendingChanges(n, "trade"); len(changes) != 3 {
			t.Errorf("a leave and two renewals: %+v, want all three pending (refused as several)", changes)
		}
	}
}

// A member that runs another peer after launch has its anchor peers updated: its own
// admin signs, its own Job submits, knowing it done by the anchors in the config.
func TestAnchorPeersPendingWhenAMemberAddsAPeer(t *testing.T) {
	all := []string{"contoso", "fabrikam", "northwind"}
	n := launchedWith(t, all, all)
	peer := n.Nodes["contoso-peer-1"]
	peer.Name = "contoso-peer-2"
	peer.Endpoint.Host = strings.Replace(peer.Endpoint.Host, "contoso-peer-1", "contoso-peer-2", 1)
	n.Nodes[peer.Name] = peer
	n.Identities[peer.Name] = n.Identities["contoso-peer-1"] // its own, were it real; the channel reads its endpoint only
	changes, err := fabric.PendingChanges(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Kind != "anchor-peers" || changes[0].Party != "contoso" {
		t.Fatalf("pending %+v, want contoso's anchor peers", changes)
	}
	u, err := fabric.ChannelUpdate(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	if u.Path != "channels/trade/updates/1-anchor-peers-contoso.pb" || len(u.Requirements) != 1 || u.Requirements[0].Policy != "/Channel/Application/ContosoMSP/Admins" {
		t.Fatalf("update %s needs %+v", u.Path, u.Requirements)
	}
	keys := newAdmins(t, n)
	sign(t, n, "trade", u, "contoso", n.Parties["contoso"].MSPID, n.MSP["contoso"].Admin, keys["contoso"])
	renderParty, err := fabric.Renderer(n)
	if err != nil {
		t.Fatal(err)
	}
	files, err := renderParty(n.Parties["contoso"], partyNodesOf(n, "contoso"))
	if err != nil {
		t.Fatal(err)
	}
	var job string
	for p, data := range files {
		if strings.HasSuffix(p, "/jobs/channel-update-trade-submit.yaml") {
			job = string(data)
		}
	}
	anchors := n.Nodes["contoso-peer-1"].Endpoint.Host + ":7051 " + peer.Endpoint.Host + ":7051"
	if !strings.Contains(job, "- name: ANCHORS\n          value: "+anchors+"\n") {
		t.Errorf("contoso's submit Job does not name its anchors %q:\n%s", anchors, job)
	}
}
