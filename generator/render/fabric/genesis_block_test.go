package fabric_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/layout"
)

func channelConfigMap(t *testing.T, files fabric.Files, channel string) []byte {
	t.Helper()
	var cm corev1.ConfigMap
	if err := yaml.Unmarshal(files["shared/"+fabric.ChannelFile(channel)], &cm); err != nil {
		t.Fatal(err)
	}
	if cm.Name != layout.ChannelConfigMap(channel) || cm.Namespace != "" {
		t.Errorf("channel ConfigMap %s/%s", cm.Namespace, cm.Name)
	}
	return gunzip(t, cm.BinaryData[layout.GenesisBlockKey])
}

// gunzip decompresses with the gzip program, as the Jobs do in the tools image
// (scripts/lib.sh unpack_block): a second reader of what CompressBlock writes.
func gunzip(t *testing.T, data []byte) []byte {
	t.Helper()
	cmd := exec.Command("gzip", "-dc")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gzip -dc: %v", err)
	}
	return out
}

// Before launch, every party's channel ConfigMap holds the block configtx encodes from
// the model, the same bytes GenesisBlock gives the launch command.
func TestChannelConfigMapHoldsTheConfigtxBlock(t *testing.T) {
	n := referenceNetwork(t)
	c, err := fabric.ChannelConfig(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	want, err := configtx.GenesisBlock(c)
	if err != nil {
		t.Fatal(err)
	}
	fromLaunch, err := fabric.GenesisBlock(n, "trade")
	if err != nil || !bytes.Equal(fromLaunch, want) {
		t.Fatalf("GenesisBlock differs from configtx (%v)", err)
	}
	for party, files := range renderParties(t, n) {
		if got := channelConfigMap(t, files, "trade"); !bytes.Equal(got, want) {
			t.Errorf("%s: channel ConfigMap holds %d bytes, not configtx's %d", party, len(got), len(want))
		}
	}
}

// Once launched, the frozen block is what every party renders, byte for byte, while
// GenesisBlock still builds from the model.
func TestFrozenGenesisBlockWins(t *testing.T) {
	n := referenceNetwork(t)
	frozen := []byte("the block launch froze")
	ch := n.Fabric.Channels["trade"]
	ch.GenesisBlock = base64.StdEncoding.EncodeToString(frozen)
	n.Fabric.Channels["trade"] = ch
	for party, files := range renderParties(t, n) {
		if got := channelConfigMap(t, files, "trade"); !bytes.Equal(got, frozen) {
			t.Errorf("%s: rendered %q, want the frozen block", party, got)
		}
	}
	built, err := fabric.GenesisBlock(n, "trade")
	if err != nil || bytes.Equal(built, frozen) {
		t.Errorf("GenesisBlock returned the frozen block (%v)", err)
	}
}

// The channel's orgs and consenters come from the model: consenting parties are
// orderer orgs listing their orderers' endpoints, members are application orgs with
// their peers as anchors, consenters present their TLS certificates.
func TestChannelConfigFollowsTheModel(t *testing.T) {
	n := referenceNetwork(t)
	c, err := fabric.ChannelConfig(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.OrdererOrgs) != 3 || len(c.ApplicationOrgs) != 3 {
		t.Fatalf("%d orderer orgs, %d application orgs", len(c.OrdererOrgs), len(c.ApplicationOrgs))
	}
	for _, org := range c.OrdererOrgs {
		party := partyOf(t, n, org.MSPID)
		node := n.Nodes[party+"-orderer-1"]
		want := fmt.Sprintf("%s:%d", node.Endpoint.Host, node.Endpoint.Port)
		if len(org.OrdererEndpoints) != 1 || org.OrdererEndpoints[0] != want {
			t.Errorf("%s endpoints %v, want %s", org.MSPID, org.OrdererEndpoints, want)
		}
		if string(org.TLSRootCerts[0]) != n.MSP[party].TLSCACert || string(org.NodeOUs.Admin.Certificate) != n.MSP[party].CACert {
			t.Errorf("%s: TLS root or NodeOUs are not the party's", org.MSPID)
		}
	}
	for _, org := range c.ApplicationOrgs {
		peer := n.Nodes[partyOf(t, n, org.MSPID)+"-peer-1"]
		if len(org.AnchorPeers) != 1 || org.AnchorPeers[0].Host != peer.Endpoint.Host || int(org.AnchorPeers[0].Port) != peer.Endpoint.Port {
			t.Errorf("%s anchor peers %v", org.MSPID, org.AnchorPeers)
		}
	}
	raft, ok := c.Orderer.Consensus.(configtx.EtcdRaft)
	if !ok || len(raft.Consenters) != 3 {
		t.Fatalf("consensus %T", c.Orderer.Consensus)
	}
	for i, name := range n.Fabric.Channels["trade"].Consenters {
		if string(raft.Consenters[i].ServerTLSCert) != n.Identities[name].TLSCert {
			t.Errorf("consenter %d is not %s's TLS certificate", i, name)
		}
	}
	if c.Capabilities.Channel[0] != "V2_0" || c.Orderer.BatchSize.MaxMessageCount != 500 {
		t.Errorf("capabilities %v, batch %+v", c.Capabilities, c.Orderer.BatchSize)
	}
}

// SmartBFT consenters are numbered 1..n in the channel's order and sign with their
// signing certificates; Fabric 3.1 gets Fabric 3's capabilities.
func TestSmartBFTConsentersAreNumberedInOrder(t *testing.T) {
	n := referenceNetwork(t)
	n.Consensus.Algorithm = model.SmartBFT
	n.Fabric.Version = model.Fabric31
	c, err := fabric.ChannelConfig(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	bft, ok := c.Orderer.Consensus.(configtx.SmartBFT)
	if !ok {
		t.Fatalf("consensus %T", c.Orderer.Consensus)
	}
	for i, name := range n.Fabric.Channels["trade"].Consenters {
		got := bft.Consenters[i]
		if got.ID != uint32(i+1) || string(got.Identity) != n.Identities[name].SignCert || got.MSPID != n.Parties[n.Nodes[name].Party].MSPID {
			t.Errorf("consenter %d: ID %d, MSP %s", i, got.ID, got.MSPID)
		}
	}
	if c.Capabilities.Channel[0] != "V3_0" {
		t.Errorf("capabilities %v", c.Capabilities)
	}
	if _, err := configtx.GenesisBlock(c); err != nil {
		t.Errorf("configtx refuses the BFT channel: %v", err)
	}
}

func partyOf(t *testing.T, n *model.Network, mspID string) string {
	t.Helper()
	for name, p := range n.Parties {
		if p.MSPID == mspID {
			return name
		}
	}
	t.Fatalf("no party with MSP %s", mspID)
	return ""
}

// A block that does not fit a ConfigMap even compressed stops the render with an
// error naming the channel, rather than a ConfigMap every cluster would refuse.
func TestChannelTooLargeForAConfigMapIsRefused(t *testing.T) {
	n := referenceNetwork(t)
	huge := make([]byte, 1<<20+1<<16)
	rand.NewChaCha8([32]byte{1}).Read(huge) // random bytes: incompressible
	ch := n.Fabric.Channels["trade"]
	ch.GenesisBlock = base64.StdEncoding.EncodeToString(huge)
	n.Fabric.Channels["trade"] = ch
	_, err := fabric.RenderShared(n)
	if err == nil || !strings.Contains(err.Error(), "channel trade") || !strings.Contains(err.Error(), "1 MiB") {
		t.Fatalf("err = %v, want the channel named and the limit", err)
	}
}

// What another party's channel ConfigMap claims to inflate to is bounded: a gzip
// bomb is refused, a block round-trips.
func TestDecompressBlockIsBounded(t *testing.T) {
	block := []byte("a genesis block")
	compressed, err := fabric.CompressBlock(block)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := fabric.DecompressBlock(compressed); err != nil || !bytes.Equal(got, block) {
		t.Fatalf("round trip: %q, %v", got, err)
	}
	bomb, err := fabric.CompressBlock(make([]byte, 256<<20+1)) // 256 MiB of zeros: about 256 KB
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fabric.DecompressBlock(bomb); err == nil {
		t.Fatalf("%d bytes of gzip inflating past the bound were accepted", len(bomb))
	}
}
