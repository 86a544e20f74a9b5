package configtx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// decodedUpdate is what bin/fabric-block-json --envelope prints for a config update
// envelope, read with Fabric's official protobuf definitions.
type decodedUpdate struct {
	Signature     string `json:"signature"`
	ChannelHeader struct {
		Type      int    `json:"type"`
		ChannelID string `json:"channelId"`
		TxID      string `json:"txId"`
		Timestamp any    `json:"timestamp"`
	} `json:"channelHeader"`
	ConfigUpdateEnvelope *struct {
		Signatures   int `json:"signatures"`
		ConfigUpdate struct {
			ChannelID    string       `json:"channelId"`
			ReadSet      *configGroup `json:"readSet"`
			WriteSet     *configGroup `json:"writeSet"`
			IsolatedData int          `json:"isolatedData"`
		} `json:"configUpdate"`
	} `json:"configUpdateEnvelope"`
}

func decodeEnvelope(t *testing.T, envelope []byte) decodedUpdate {
	t.Helper()
	tool := testenv.Tool(t, "fabric-block-json")
	file := filepath.Join(t.TempDir(), "update.pb")
	if err := os.WriteFile(file, envelope, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, file, "--envelope").Output()
	if err != nil {
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			t.Fatalf("fabric-block-json: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("fabric-block-json: %v", err)
	}
	var d decodedUpdate
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("fabric-block-json output: %v", err)
	}
	if d.ConfigUpdateEnvelope == nil {
		t.Fatalf("not decoded as a CONFIG_UPDATE envelope: %s", out)
	}
	return d
}

// joiner is a fourth organisation, not in the genesis block.
func joiner(t *testing.T) configtx.Org {
	t.Helper()
	ca, tlsCA := newCA(t, "delta-ca"), newCA(t, "delta-tlsca")
	return configtx.Org{
		MSPID:        "DeltaMSP",
		RootCerts:    [][]byte{ca.pem},
		TLSRootCerts: [][]byte{tlsCA.pem},
		NodeOUs:      configtx.StandardNodeOUs(ca.pem),
		AnchorPeers:  []configtx.AnchorPeer{{Host: "peer0.delta.example", Port: 7051}},
	}
}

// joinUpdate computes the update that adds org to the channel whose current config is
// in block.
func joinUpdate(t *testing.T, block []byte, org configtx.Org) (*configtx.Config, *configtx.ConfigUpdate) {
	t.Helper()
	id, current, err := configtx.DecodeConfigBlock(block)
	if err != nil {
		t.Fatal(err)
	}
	updated, err := configtx.WithApplicationOrg(current, org)
	if err != nil {
		t.Fatal(err)
	}
	u, err := configtx.ComputeUpdate(id, current, updated)
	if err != nil {
		t.Fatal(err)
	}
	return current, u
}

func groupKeys(g configGroup) (groups, values, policies []string) {
	return slices.Sorted(slices.Values(keys(g.Groups))), slices.Sorted(slices.Values(keys(g.Values))), slices.Sorted(slices.Values(keys(g.Policies)))
}

// An organisation joining a channel right after launch, decoded with Fabric's own
// protos. The expected sets follow Fabric v2.5.16's
// internal/configtxlator/update/update.go (computeGroupUpdate): /Channel only
// contains a change, so it is in both sets at its version (0) with no mod_policy and
// only the Application group; /Channel/Application gains a member, so the read set
// holds it at version 0 with every unchanged member by version alone, and the write
// set at version 1 with its mod_policy Admins, the same members, and the new org
// whole at version 0. The Orderer group is unchanged and in neither set. The
// envelope is what internal/peer/channel/create.go sanityCheckAndSignConfigTx
// accepts: type CONFIG_UPDATE (2), a channel ID, a ConfigUpdateEnvelope.
func TestOrgJoinUpdateDecodesWithFabricProtos(t *testing.T) {
	n := newNetwork(t)
	_, u := joinUpdate(t, encode(t, n.channel), joiner(t))
	d := decodeEnvelope(t, u.Envelope())

	if d.ChannelHeader.Type != 2 || d.ChannelHeader.ChannelID != "ledger-one" {
		t.Errorf("channel header: type %d, channel %q; want CONFIG_UPDATE (2), ledger-one", d.ChannelHeader.Type, d.ChannelHeader.ChannelID)
	}
	if d.Signature != "" || d.ConfigUpdateEnvelope.Signatures != 0 {
		t.Errorf("an unsigned envelope carries a signature: %q, %d config signatures", d.Signature, d.ConfigUpdateEnvelope.Signatures)
	}
	cu := d.ConfigUpdateEnvelope.ConfigUpdate
	if cu.ChannelID != "ledger-one" || cu.IsolatedData != 0 {
		t.Errorf("config update: channel %q, %d isolated data", cu.ChannelID, cu.IsolatedData)
	}
	if cu.ReadSet == nil || cu.WriteSet == nil {
		t.Fatalf("read set %v, write set %v", cu.ReadSet, cu.WriteSet)
	}
	for name, root := range map[string]configGroup{"read set": *cu.ReadSet, "write set": *cu.WriteSet} {
		groups, values, policies := groupKeys(root)
		if root.Version != 0 || root.ModPolicy != "" || !slices.Equal(groups, []string{"Application"}) || len(values)+len(policies) != 0 {
			t.Errorf("%s /Channel: version %d, mod_policy %q, groups %v, values %v, policies %v; want version 0, no mod_policy, the Application group only",
				name, root.Version, root.ModPolicy, groups, values, policies)
		}
	}

	members := []string{"AlphaMSP", "BetaMSP", "GammaMSP"}
	wantValues := []string{"Capabilities"}
	wantPolicies := []string{"Admins", "Endorsement", "LifecycleEndorsement", "Readers", "Writers"}
	readApp := cu.ReadSet.Groups["Application"]
	groups, values, policies := groupKeys(readApp)
	if readApp.Version != 0 || readApp.ModPolicy != "" || !slices.Equal(groups, members) || !slices.Equal(values, wantValues) || !slices.Equal(policies, wantPolicies) {
		t.Errorf("read set /Channel/Application: version %d, mod_policy %q, groups %v, values %v, policies %v",
			readApp.Version, readApp.ModPolicy, groups, values, policies)
	}
	writeApp := cu.WriteSet.Groups["Application"]
	groups, values, policies = groupKeys(writeApp)
	if writeApp.Version != 1 || writeApp.ModPolicy != "Admins" || !slices.Equal(groups, []string{"AlphaMSP", "BetaMSP", "DeltaMSP", "GammaMSP"}) ||
		!slices.Equal(values, wantValues) || !slices.Equal(policies, wantPolicies) {
		t.Errorf("write set /Channel/Application: version %d, mod_policy %q, groups %v, values %v, policies %v; want version 1, Admins, the members and DeltaMSP",
			writeApp.Version, writeApp.ModPolicy, groups, values, policies)
	}
	// The unchanged members: their version alone, in both sets.
	for _, set := range []configGroup{readApp, writeApp} {
		for _, k := range wantValues {
			if v := set.Values[k]; v.Version != 0 || v.ModPolicy != "" || v.HasValue {
				t.Errorf("unchanged value %s: %+v; want version 0 and nothing else", k, v)
			}
		}
		for _, k := range wantPolicies {
			if p := set.Policies[k]; p.Version != 0 || p.ModPolicy != "" || p.Policy.Type != 0 {
				t.Errorf("unchanged policy %s: %+v; want version 0 and nothing else", k, p)
			}
		}
		for _, k := range members {
			g := set.Groups[k]
			if g.Version != 0 || g.ModPolicy != "" || len(g.Groups)+len(g.Values)+len(g.Policies) != 0 {
				t.Errorf("unchanged org %s: %+v; want version 0 and nothing else", k, g)
			}
		}
	}

	// The new org, whole, at version 0: as configtxgen writes a member in a genesis
	// block (internal/configtxgen/encoder/encoder.go NewApplicationOrgGroup).
	delta, ok := writeApp.Groups["DeltaMSP"]
	if !ok {
		t.Fatal("write set: no DeltaMSP group")
	}
	groups, values, policies = groupKeys(delta)
	if delta.Version != 0 || delta.ModPolicy != "Admins" || len(groups) != 0 ||
		!slices.Equal(values, []string{"AnchorPeers", "MSP"}) || !slices.Equal(policies, []string{"Admins", "Endorsement", "Readers", "Writers"}) {
		t.Errorf("DeltaMSP: version %d, mod_policy %q, groups %v, values %v, policies %v", delta.Version, delta.ModPolicy, groups, values, policies)
	}
	var m fabricMSP
	if v := delta.value(t, "MSP", &m); v.Version != 0 || v.ModPolicy != "Admins" || m.Fabric == nil || m.Fabric.Name != "DeltaMSP" || len(m.Fabric.RootCerts) != 1 || m.Fabric.NodeOUs == nil {
		t.Errorf("DeltaMSP MSP: version %d, mod_policy %q, %+v", v.Version, v.ModPolicy, m.Fabric)
	}
	var anchors struct {
		AnchorPeers []struct {
			Host string `json:"host"`
			Port int    `json:"port"`
		} `json:"anchorPeers"`
	}
	if delta.value(t, "AnchorPeers", &anchors); len(anchors.AnchorPeers) != 1 || anchors.AnchorPeers[0].Host != "peer0.delta.example" || anchors.AnchorPeers[0].Port != 7051 {
		t.Errorf("DeltaMSP anchor peers: %+v", anchors.AnchorPeers)
	}
	for name, p := range delta.Policies {
		sig := p.Policy.Signature
		if p.Version != 0 || p.ModPolicy != "Admins" || sig == nil || len(sig.Identities) == 0 || sig.Identities[0].Role == nil || sig.Identities[0].Role.MSPIdentifier != "DeltaMSP" {
			t.Errorf("DeltaMSP policy %s: %+v", name, p)
		}
	}
	admins := delta.Policies["Admins"].Policy.Signature
	if admins == nil || len(admins.Identities) != 1 || admins.Identities[0].Role.Role != 1 {
		t.Errorf("DeltaMSP Admins: want OR('DeltaMSP.admin') (role ADMIN = 1), got %+v", admins)
	}
}

// A later update reads the versions the chain has now. Fabric refuses a read set
// version that is not the current one (common/configtx/update.go verifyReadSet), and
// a write set version that is neither 0 for a new element nor current+1
// (verifyDeltaSet).
func TestOrgJoinUpdateReadsCurrentVersions(t *testing.T) {
	n := newNetwork(t)
	_, current, err := configtx.DecodeConfigBlock(encode(t, n.channel))
	if err != nil {
		t.Fatal(err)
	}
	current.Sequence = 5
	app := current.Application()
	app.Version = 3
	app.Groups["BetaMSP"].Version = 2
	app.Policies["Admins"].Version = 1
	updated, err := configtx.WithApplicationOrg(current, joiner(t))
	if err != nil {
		t.Fatal(err)
	}
	u, err := configtx.ComputeUpdate("ledger-one", current, updated)
	if err != nil {
		t.Fatal(err)
	}
	r, w := u.ReadSet.Groups["Application"], u.WriteSet.Groups["Application"]
	if r.Version != 3 || w.Version != 4 {
		t.Errorf("Application: read version %d, write version %d; want 3 and 4", r.Version, w.Version)
	}
	if r.Groups["BetaMSP"].Version != 2 || w.Groups["BetaMSP"].Version != 2 || r.Policies["Admins"].Version != 1 || w.Policies["Admins"].Version != 1 {
		t.Errorf("unchanged members must keep their versions in both sets: BetaMSP %d/%d, Admins %d/%d",
			r.Groups["BetaMSP"].Version, w.Groups["BetaMSP"].Version, r.Policies["Admins"].Version, w.Policies["Admins"].Version)
	}
	if w.Groups["DeltaMSP"].Version != 0 {
		t.Errorf("a new org is written at version 0, got %d", w.Groups["DeltaMSP"].Version)
	}
	if _, err := configtx.WithApplicationOrg(updated, joiner(t)); err == nil {
		t.Error("adding an org that is already a member: no error")
	}
}

// An organisation leaving: the Application group at version+1 without it, and the
// leaving org in neither set (update.go computeGroupsMapUpdate skips a removed group).
func TestOrgLeaveUpdate(t *testing.T) {
	n := newNetwork(t)
	_, current, err := configtx.DecodeConfigBlock(encode(t, n.channel))
	if err != nil {
		t.Fatal(err)
	}
	updated, err := configtx.WithoutApplicationOrg(current, "GammaMSP")
	if err != nil {
		t.Fatal(err)
	}
	u, err := configtx.ComputeUpdate("ledger-one", current, updated)
	if err != nil {
		t.Fatal(err)
	}
	d := decodeEnvelope(t, u.Envelope())
	cu := d.ConfigUpdateEnvelope.ConfigUpdate
	r, w := cu.ReadSet.Groups["Application"], cu.WriteSet.Groups["Application"]
	rg, _, _ := groupKeys(r)
	wg, _, _ := groupKeys(w)
	if r.Version != 0 || w.Version != 1 || w.ModPolicy != "Admins" || !slices.Equal(rg, []string{"AlphaMSP", "BetaMSP"}) || !slices.Equal(wg, rg) {
		t.Errorf("leave: read %d %v, write %d %q %v", r.Version, rg, w.Version, w.ModPolicy, wg)
	}
	if _, err := configtx.ComputeUpdate("ledger-one", current, current); err == nil {
		t.Error("an update with no difference: no error (Fabric's Compute refuses it too)")
	}
}

// The same inputs give the same envelope: Go's map order must not leak into the
// bytes, so a regenerated repository is unchanged.
func TestOrgJoinUpdateDeterministic(t *testing.T) {
	n := newNetwork(t)
	block := encode(t, n.channel)
	org := joiner(t)
	_, first := joinUpdate(t, block, org)
	want := first.Envelope()
	for range 20 {
		_, u := joinUpdate(t, block, org)
		if got := u.Envelope(); !bytes.Equal(got, want) {
			t.Fatal("two computations of one update differ")
		}
	}
}

// A config block read back re-encodes to the same config: the decoder keeps every
// element (versions, mod_policies, contents), so an update computed from it reads
// exactly what the chain holds.
func TestDecodeConfigBlockRoundTrip(t *testing.T) {
	n := newNetwork(t)
	_, c, err := configtx.DecodeConfigBlock(encode(t, n.channel))
	if err != nil {
		t.Fatal(err)
	}
	again, err := configtx.DecodeConfig(c.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Marshal(), c.Marshal()) || c.Sequence != 0 || len(c.Application().Groups) != 3 {
		t.Errorf("round trip differs, or sequence %d, %d application orgs", c.Sequence, len(c.Application().Groups))
	}
	for _, bad := range [][]byte{nil, []byte("not a block"), {0x12, 0x02, 0x0a, 0x00}} {
		if _, _, err := configtx.DecodeConfigBlock(bad); err == nil {
			t.Errorf("DecodeConfigBlock(%q): no error", bad)
		}
	}
}

// The consenters a recorded config names: etcdraft's ConfigMetadata and BFT's
// Orderers consenter mapping, "host:port" in the config's order.
func TestConsentersReadFromConfig(t *testing.T) {
	n := newNetwork(t)
	bft, bftConsenters := bftNetwork(t)
	var wantBFT []string
	for _, c := range bftConsenters {
		wantBFT = append(wantBFT, hostPort(c.Host, c.Port))
	}
	for name, tc := range map[string]struct {
		channel configtx.Channel
		want    []string
	}{
		"etcdraft": {n.channel, []string{"orderer0.alpha.example:7050", "orderer1.alpha.example:7051", "orderer0.beta.example:7050"}},
		"BFT":      {bft, wantBFT},
	} {
		_, c, err := configtx.DecodeConfigBlock(encode(t, tc.channel))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Consenters()
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: consenters %v (%v), want %v", name, got, err, tc.want)
		}
	}
}
