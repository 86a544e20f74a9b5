package configtx_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// decodedConsensus is what fabric-block-json prints for an etcdraft ConsensusType
// value (orderer/configuration.proto, orderer/etcdraft/configuration.proto).
type decodedConsensus struct {
	Type     string `json:"type"`
	State    int    `json:"state"`
	Etcdraft *struct {
		Consenters []struct {
			Host          string `json:"host"`
			Port          int    `json:"port"`
			ClientTLSCert string `json:"clientTlsCert"`
			ServerTLSCert string `json:"serverTlsCert"`
		} `json:"consenters"`
		Options map[string]any `json:"options"`
	} `json:"etcdraft"`
}

type decodedAddresses struct {
	Addresses []string `json:"addresses"`
}

func decodeConfig(t *testing.T, c configtx.Channel) *configtx.Config {
	t.Helper()
	_, config, err := configtx.DecodeConfigBlock(encode(t, c))
	if err != nil {
		t.Fatal(err)
	}
	return config
}

func compute(t *testing.T, current, updated *configtx.Config) *configtx.ConfigUpdate {
	t.Helper()
	u, err := configtx.ComputeUpdate("ledger-one", current, updated)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func requirements(t *testing.T, u *configtx.ConfigUpdate, current *configtx.Config) []configtx.Requirement {
	t.Helper()
	reqs, err := u.Requirements(current)
	if err != nil {
		t.Fatal(err)
	}
	return reqs
}

// A Raft consenter added to an orderer org that already orders the channel, decoded
// with Fabric's own protos. Fabric v2.5.16 internal/configtxlator/update/update.go
// (the same in v3.1.5): /Channel/Orderer gains and loses no member, so it is in both
// sets at its version (0) without mod_policy; computeValuesMapUpdate writes the changed
// ConsensusType at version+1 with its mod_policy, Admins, and puts nothing of it in
// the read set; the org's group likewise holds only its changed Endpoints. The
// Application group is untouched and in neither set.
func TestRaftConsenterAddDecodesWithFabricProtos(t *testing.T) {
	n := newNetwork(t)
	current := decodeConfig(t, n.channel)
	beta := n.parties["beta"]
	tls := beta.tlsCA.tlsLeaf(t, "orderer1.beta.example")
	org := configtx.Org{MSPID: "BetaOrdererMSP", RootCerts: [][]byte{beta.ca.pem}, TLSRootCerts: [][]byte{beta.tlsCA.pem}, NodeOUs: configtx.StandardNodeOUs(beta.ca.pem)}
	updated, err := configtx.WithConsenter(current, org, configtx.NewConsenter{Host: "orderer1.beta.example", Port: 7052, TLSCert: tls})
	if err != nil {
		t.Fatal(err)
	}
	u := compute(t, current, updated)
	cu := decodeEnvelope(t, u.Envelope()).ConfigUpdateEnvelope.ConfigUpdate

	for name, root := range map[string]configGroup{"read set": *cu.ReadSet, "write set": *cu.WriteSet} {
		groups, values, policies := groupKeys(root)
		if root.Version != 0 || root.ModPolicy != "" || !slices.Equal(groups, []string{"Orderer"}) || len(values)+len(policies) != 0 {
			t.Errorf("%s /Channel: version %d, mod_policy %q, groups %v, values %v, policies %v; want the Orderer group only",
				name, root.Version, root.ModPolicy, groups, values, policies)
		}
	}
	read, write := cu.ReadSet.Groups["Orderer"], cu.WriteSet.Groups["Orderer"]
	groups, values, policies := groupKeys(read)
	if read.Version != 0 || read.ModPolicy != "" || !slices.Equal(groups, []string{"BetaOrdererMSP"}) || len(values)+len(policies) != 0 {
		t.Errorf("read set /Channel/Orderer: version %d, mod_policy %q, groups %v, values %v, policies %v", read.Version, read.ModPolicy, groups, values, policies)
	}
	if g := read.Groups["BetaOrdererMSP"]; g.Version != 0 || len(g.Groups)+len(g.Values)+len(g.Policies) != 0 {
		t.Errorf("read set BetaOrdererMSP: %+v; want version 0 and nothing else", g)
	}
	groups, values, policies = groupKeys(write)
	if write.Version != 0 || write.ModPolicy != "" || !slices.Equal(groups, []string{"BetaOrdererMSP"}) || !slices.Equal(values, []string{"ConsensusType"}) || len(policies) != 0 {
		t.Errorf("write set /Channel/Orderer: version %d, mod_policy %q, groups %v, values %v, policies %v", write.Version, write.ModPolicy, groups, values, policies)
	}

	var ct decodedConsensus
	v := write.value(t, "ConsensusType", &ct)
	if v.Version != 1 || v.ModPolicy != "Admins" || ct.Type != "etcdraft" || ct.State != 0 || ct.Etcdraft == nil {
		t.Fatalf("ConsensusType: version %d, mod_policy %q, %+v", v.Version, v.ModPolicy, ct)
	}
	var hosts []string
	for _, c := range ct.Etcdraft.Consenters {
		hosts = append(hosts, fmt.Sprintf("%s:%d", c.Host, c.Port))
	}
	if !slices.Equal(hosts, []string{"orderer0.alpha.example:7050", "orderer1.alpha.example:7051", "orderer0.beta.example:7050", "orderer1.beta.example:7052"}) {
		t.Errorf("consenters %v; want the three and the new one last", hosts)
	}
	if last := ct.Etcdraft.Consenters[3]; last.ClientTLSCert != string(tls) || last.ServerTLSCert != string(tls) {
		t.Error("the new consenter's TLS certificates are not the orderer's")
	}
	if first := ct.Etcdraft.Consenters[0]; first.ClientTLSCert != string(n.consenterTLS["orderer0.alpha.example:7050"]) {
		t.Error("an existing consenter's certificate changed")
	}
	// sampleconfig/configtx.yaml Orderer.EtcdRaft.Options, kept as they were.
	if o := ct.Etcdraft.Options; o["tickInterval"] != "500ms" || o["electionTick"] != 10.0 || o["heartbeatTick"] != 1.0 || o["maxInflightBlocks"] != 5.0 || o["snapshotIntervalSize"] != 16777216.0 {
		t.Errorf("options %v", o)
	}

	betaWrite := write.Groups["BetaOrdererMSP"]
	groups, values, policies = groupKeys(betaWrite)
	if betaWrite.Version != 0 || betaWrite.ModPolicy != "" || len(groups)+len(policies) != 0 || !slices.Equal(values, []string{"Endpoints"}) {
		t.Errorf("write set BetaOrdererMSP: version %d, mod_policy %q, groups %v, values %v, policies %v", betaWrite.Version, betaWrite.ModPolicy, groups, values, policies)
	}
	var ep decodedAddresses
	if v := betaWrite.value(t, "Endpoints", &ep); v.Version != 1 || v.ModPolicy != "Admins" || !slices.Equal(ep.Addresses, []string{"orderer0.beta.example:7050", "orderer1.beta.example:7052"}) {
		t.Errorf("Endpoints: version %d, mod_policy %q, %v", v.Version, v.ModPolicy, ep.Addresses)
	}

	// common/configtx/update.go verifyDeltaSet: ConsensusType needs its mod_policy,
	// /Channel/Orderer/Admins, ImplicitMeta MAJORITY Admins over the two orderer orgs
	// (implicitmeta.go: 2/2+1 = 2); Endpoints needs the org's Admins,
	// OR('BetaOrdererMSP.admin') (common/cauthdsl/cauthdsl.go: 1 of 1).
	reqs := requirements(t, u, current)
	want := []configtx.Requirement{
		{Element: "/Channel/Orderer/ConsensusType", Policy: "/Channel/Orderer/Admins", Rule: "MAJORITY", SubPolicy: "Admins", Orgs: []string{"AlphaOrdererMSP", "BetaOrdererMSP"}, Threshold: 2},
		{Element: "/Channel/Orderer/BetaOrdererMSP/Endpoints", Policy: "/Channel/Orderer/BetaOrdererMSP/Admins", Rule: "SIGNATURE", SubPolicy: "admin", Orgs: []string{"BetaOrdererMSP"}, Threshold: 1},
	}
	if !requirementsEqual(reqs, want) {
		t.Errorf("requirements %+v\nwant %+v", reqs, want)
	}
}

func requirementsEqual(a, b []configtx.Requirement) bool {
	return slices.EqualFunc(a, b, func(x, y configtx.Requirement) bool {
		return x.Element == y.Element && x.Policy == y.Policy && x.Rule == y.Rule && x.SubPolicy == y.SubPolicy && x.Threshold == y.Threshold && slices.Equal(x.Orgs, y.Orgs)
	})
}

// gammaOrderer is the third party's orderer org, not yet ordering the channel.
func gammaOrderer(n network) configtx.Org {
	g := n.parties["gamma"]
	return configtx.Org{MSPID: "GammaOrdererMSP", RootCerts: [][]byte{g.ca.pem}, TLSRootCerts: [][]byte{g.tlsCA.pem}, NodeOUs: configtx.StandardNodeOUs(g.ca.pem)}
}

// A consenter whose org orders nothing on the channel yet brings the org's group: a
// Raft consenter's TLS certificate must chain to an orderer org's TLS root (Fabric
// v3.1.5 orderer/consensus/etcdraft/util.go VerifyConfigMetadata,
// createX509VerifyOptions). /Channel/Orderer then gains a member: update.go puts it in
// the read set at version 0 with every unchanged member by version, and in the write
// set at version 1 with its mod_policy, the new group whole at version 0.
func TestConsenterOfANewOrgAddsItsOrdererOrg(t *testing.T) {
	n := newNetwork(t)
	current := decodeConfig(t, n.channel)
	gamma := n.parties["gamma"]
	updated, err := configtx.WithConsenter(current, gammaOrderer(n), configtx.NewConsenter{Host: "orderer0.gamma.example", Port: 7050, TLSCert: gamma.tlsCA.tlsLeaf(t, "orderer0.gamma.example")})
	if err != nil {
		t.Fatal(err)
	}
	u := compute(t, current, updated)
	cu := decodeEnvelope(t, u.Envelope()).ConfigUpdateEnvelope.ConfigUpdate
	read, write := cu.ReadSet.Groups["Orderer"], cu.WriteSet.Groups["Orderer"]
	sameValues := []string{"BatchSize", "BatchTimeout", "Capabilities", "ChannelRestrictions"}
	samePolicies := []string{"Admins", "BlockValidation", "Readers", "Writers"}
	groups, values, policies := groupKeys(read)
	if read.Version != 0 || !slices.Equal(groups, []string{"AlphaOrdererMSP", "BetaOrdererMSP"}) || !slices.Equal(values, sameValues) || !slices.Equal(policies, samePolicies) {
		t.Errorf("read set /Channel/Orderer: version %d, groups %v, values %v, policies %v", read.Version, groups, values, policies)
	}
	groups, values, policies = groupKeys(write)
	if write.Version != 1 || write.ModPolicy != "Admins" || !slices.Equal(groups, []string{"AlphaOrdererMSP", "BetaOrdererMSP", "GammaOrdererMSP"}) ||
		!slices.Equal(values, []string{"BatchSize", "BatchTimeout", "Capabilities", "ChannelRestrictions", "ConsensusType"}) || !slices.Equal(policies, samePolicies) {
		t.Errorf("write set /Channel/Orderer: version %d, mod_policy %q, groups %v, values %v, policies %v", write.Version, write.ModPolicy, groups, values, policies)
	}
	if v := write.Values["ConsensusType"]; v.Version != 1 || v.ModPolicy != "Admins" || !v.HasValue {
		t.Errorf("ConsensusType %+v", v)
	}
	if v := write.Values["BatchSize"]; v.Version != 0 || v.HasValue || v.ModPolicy != "" {
		t.Errorf("an unchanged value is written with more than its version: %+v", v)
	}
	g := write.Groups["GammaOrdererMSP"]
	groups, values, policies = groupKeys(g)
	if g.Version != 0 || g.ModPolicy != "Admins" || len(groups) != 0 || !slices.Equal(values, []string{"Endpoints", "MSP"}) || !slices.Equal(policies, []string{"Admins", "Readers", "Writers"}) {
		t.Errorf("GammaOrdererMSP: version %d, mod_policy %q, groups %v, values %v, policies %v", g.Version, g.ModPolicy, groups, values, policies)
	}
	var ep decodedAddresses
	if v := g.value(t, "Endpoints", &ep); v.Version != 0 || v.ModPolicy != "Admins" || !slices.Equal(ep.Addresses, []string{"orderer0.gamma.example:7050"}) {
		t.Errorf("GammaOrdererMSP Endpoints: %+v %v", v, ep.Addresses)
	}
	var m fabricMSP
	if g.value(t, "MSP", &m); m.Fabric == nil || m.Fabric.Name != "GammaOrdererMSP" || len(m.Fabric.TLSRootCerts) != 1 {
		t.Errorf("GammaOrdererMSP MSP: %+v", m.Fabric)
	}
	// The new org signs nothing: a new group needs no policy (verifyDeltaSet); the
	// group's change and ConsensusType both need /Channel/Orderer/Admins of the
	// current orderer orgs.
	majority := configtx.Requirement{Policy: "/Channel/Orderer/Admins", Rule: "MAJORITY", SubPolicy: "Admins", Orgs: []string{"AlphaOrdererMSP", "BetaOrdererMSP"}, Threshold: 2}
	a, b := majority, majority
	a.Element, b.Element = "/Channel/Orderer", "/Channel/Orderer/ConsensusType"
	if reqs := requirements(t, u, current); !requirementsEqual(reqs, []configtx.Requirement{a, b}) {
		t.Errorf("requirements %+v", reqs)
	}
}

// A Raft consenter removed: out of ConsensusType and out of its org's Endpoints; with
// the org's last consenter, the org's group leaves /Channel/Orderer (update.go
// computeGroupsMapUpdate: a removed group is in neither set, its parent at
// version+1). Removing what is not a consenter, or adding one twice, is refused.
func TestRaftConsenterRemove(t *testing.T) {
	n := newNetwork(t)
	current := decodeConfig(t, n.channel)
	updated, err := configtx.WithoutConsenter(current, "AlphaOrdererMSP", "orderer1.alpha.example:7051", false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := updated.Consenters()
	if err != nil || !slices.Equal(got, []string{"orderer0.alpha.example:7050", "orderer0.beta.example:7050"}) {
		t.Errorf("consenters after removal %v (%v)", got, err)
	}
	u := compute(t, current, updated)
	w := u.WriteSet.Groups["Orderer"]
	if w.Version != 0 || w.Values["ConsensusType"].Version != 1 || w.Groups["AlphaOrdererMSP"].Values["Endpoints"].Version != 1 {
		t.Errorf("write set: Orderer %d, ConsensusType %+v", w.Version, w.Values["ConsensusType"])
	}

	updated, err = configtx.WithoutConsenter(current, "BetaOrdererMSP", "orderer0.beta.example:7050", true)
	if err != nil {
		t.Fatal(err)
	}
	u = compute(t, current, updated)
	cu := decodeEnvelope(t, u.Envelope()).ConfigUpdateEnvelope.ConfigUpdate
	read, write := cu.ReadSet.Groups["Orderer"], cu.WriteSet.Groups["Orderer"]
	rg, _, _ := groupKeys(read)
	wg, _, _ := groupKeys(write)
	if read.Version != 0 || write.Version != 1 || write.ModPolicy != "Admins" || !slices.Equal(rg, []string{"AlphaOrdererMSP"}) || !slices.Equal(wg, rg) {
		t.Errorf("org leaves the orderer group: read %d %v, write %d %q %v", read.Version, rg, write.Version, write.ModPolicy, wg)
	}
	var ct decodedConsensus
	write.value(t, "ConsensusType", &ct)
	if ct.Etcdraft == nil || len(ct.Etcdraft.Consenters) != 2 {
		t.Errorf("ConsensusType after removal: %+v", ct)
	}
	// Both orderer orgs of the current config count, the leaving one too.
	for _, r := range requirements(t, u, current) {
		if r.Policy != "/Channel/Orderer/Admins" || r.Threshold != 2 || len(r.Orgs) != 2 {
			t.Errorf("requirement %+v", r)
		}
	}

	if _, err := configtx.WithoutConsenter(current, "AlphaOrdererMSP", "orderer9.alpha.example:7050", false); err == nil {
		t.Error("removing an endpoint that is no consenter: no error")
	}
	if _, err := configtx.WithoutConsenter(current, "GammaOrdererMSP", "orderer0.alpha.example:7050", false); err == nil {
		t.Error("removing through an org that orders nothing: no error")
	}
	alpha := n.parties["alpha"]
	if _, err := configtx.WithConsenter(current, configtx.Org{MSPID: "AlphaOrdererMSP"}, configtx.NewConsenter{Host: "orderer0.alpha.example", Port: 7050, TLSCert: alpha.tlsCA.tlsLeaf(t, "x")}); err == nil {
		t.Error("adding a consenter twice: no error")
	}
}

// channelWithOrdererOrgs is the test channel ordered by n orgs, one Raft consenter each.
func channelWithOrdererOrgs(t *testing.T, n int) configtx.Channel {
	t.Helper()
	c := newNetwork(t).channel
	var consenters []configtx.Consenter
	c.OrdererOrgs = nil
	for i := range n {
		ca := newCA(t, fmt.Sprintf("oorg%d-ca", i))
		host := fmt.Sprintf("orderer0.oorg%d.example", i)
		tls := ca.tlsLeaf(t, host)
		consenters = append(consenters, configtx.Consenter{Host: host, Port: 7050, ClientTLSCert: tls, ServerTLSCert: tls})
		c.OrdererOrgs = append(c.OrdererOrgs, configtx.Org{
			MSPID: fmt.Sprintf("OOrg%dMSP", i), RootCerts: [][]byte{ca.pem}, TLSRootCerts: [][]byte{ca.pem},
			NodeOUs: configtx.StandardNodeOUs(ca.pem), OrdererEndpoints: []string{host + ":7050"},
		})
	}
	c.Orderer.Consensus = configtx.EtcdRaft{Consenters: consenters, Options: configtx.DefaultRaftOptions()}
	return c
}

// A consenter change needs /Channel/Orderer's Admins, ImplicitMeta MAJORITY Admins
// over the orderer orgs (Fabric v2.5.16 common/policies/implicitmeta.go: len/2+1, so 2
// of 3, 3 of 4, 4 of 7), and the owning org's own Admins for its Endpoints.
func TestConsenterSignaturesMajorityOfOrdererAdmins(t *testing.T) {
	for _, tc := range []struct{ orgs, threshold int }{{3, 2}, {4, 3}, {7, 4}} {
		t.Run(fmt.Sprint(tc.orgs), func(t *testing.T) {
			current := decodeConfig(t, channelWithOrdererOrgs(t, tc.orgs))
			updated, err := configtx.WithoutConsenter(current, "OOrg0MSP", "orderer0.oorg0.example:7050", true)
			if err != nil {
				t.Fatal(err)
			}
			reqs := requirements(t, compute(t, current, updated), current)
			if len(reqs) != 2 {
				t.Fatalf("requirements %+v; want the orderer group and ConsensusType", reqs)
			}
			for _, r := range reqs {
				if r.Policy != "/Channel/Orderer/Admins" || r.Rule != "MAJORITY" || r.Threshold != tc.threshold || len(r.Orgs) != tc.orgs {
					t.Errorf("%d orgs: %+v; want %d of %d", tc.orgs, r, tc.threshold, tc.orgs)
				}
			}

			ca := newCA(t, "late")
			added, err := configtx.WithConsenter(current, configtx.Org{MSPID: "OOrg1MSP", RootCerts: [][]byte{ca.pem}}, configtx.NewConsenter{Host: "orderer1.oorg1.example", Port: 7051, TLSCert: ca.tlsLeaf(t, "orderer1.oorg1.example")})
			if err != nil {
				t.Fatal(err)
			}
			reqs = requirements(t, compute(t, current, added), current)
			if len(reqs) != 2 || reqs[0].Threshold != tc.threshold || reqs[1].Policy != "/Channel/Orderer/OOrg1MSP/Admins" || reqs[1].Threshold != 1 || !slices.Equal(reqs[1].Orgs, []string{"OOrg1MSP"}) {
				t.Errorf("add to OOrg1MSP: %+v", reqs)
			}
		})
	}
}

// The channel-wide OrdererAddresses (deprecated, written only when set) follows the
// consenters, and its mod_policy is absolute, /Channel/Orderer/Admins (configtxgen
// encoder.go: ordererAdminsPolicyName), read from /Channel (update.go policyForItem).
func TestOrdererAddressesFollowConsenters(t *testing.T) {
	n := newNetwork(t)
	c := n.channel
	c.Orderer.Addresses = []string{"orderer0.alpha.example:7050", "orderer1.alpha.example:7051", "orderer0.beta.example:7050"}
	current := decodeConfig(t, c)
	updated, err := configtx.WithoutConsenter(current, "AlphaOrdererMSP", "orderer1.alpha.example:7051", false)
	if err != nil {
		t.Fatal(err)
	}
	u := compute(t, current, updated)
	root := decodeEnvelope(t, u.Envelope()).ConfigUpdateEnvelope.ConfigUpdate.WriteSet
	var a decodedAddresses
	if v := root.value(t, "OrdererAddresses", &a); v.Version != 1 || v.ModPolicy != "/Channel/Orderer/Admins" || !slices.Equal(a.Addresses, []string{"orderer0.alpha.example:7050", "orderer0.beta.example:7050"}) {
		t.Errorf("OrdererAddresses: %+v %v", v, a.Addresses)
	}
	reqs := requirements(t, u, current)
	if !slices.ContainsFunc(reqs, func(r configtx.Requirement) bool {
		return r.Element == "/Channel/OrdererAddresses" && r.Policy == "/Channel/Orderer/Admins" && r.Rule == "MAJORITY" && r.Threshold == 2
	}) {
		t.Errorf("requirements %+v lack OrdererAddresses under /Channel/Orderer/Admins", reqs)
	}
}

// The same consenter change gives the same bytes on every run.
func TestConsenterUpdateDeterministic(t *testing.T) {
	c, _ := bftNetwork(t)
	current := decodeConfig(t, c)
	n := newNetwork(t)
	gamma := n.parties["gamma"]
	nc := configtx.NewConsenter{Host: "bft4.gamma.example", Port: 7050, TLSCert: gamma.tlsCA.tlsLeaf(t, "bft4"), Identity: gamma.ca.signingLeaf(t, "bft4")}
	var want []byte
	for i := range 20 {
		updated, err := configtx.WithConsenter(current, gammaOrderer(n), nc)
		if err != nil {
			t.Fatal(err)
		}
		got := compute(t, current, updated).Envelope()
		if i == 0 {
			want = got
		} else if !bytes.Equal(got, want) {
			t.Fatal("two computations of one consenter update differ")
		}
	}
}

// A consenter's renewed TLS certificate replaces its client and server certificates in
// the etcdraft metadata and nothing else, decoded with Fabric's own protos:
// ConsensusType alone in the write set at version+1 with mod_policy Admins, so the
// update needs MAJORITY of /Channel/Orderer/Admins only; etcdraft counts it as one
// rotation (Fabric v2.5.16 orderer/consensus/etcdraft/membership.go: one consenter
// removed and one added). The same JSON came out of configtxlator compute_update
// over a running v2.5.16 channel's config (docs/platforms/fabric.md, consenters).
func TestRaftConsenterRenewalDecodesWithFabricProtos(t *testing.T) {
	n := newNetwork(t)
	current := decodeConfig(t, n.channel)
	renewed := n.parties["alpha"].tlsCA.tlsLeaf(t, "orderer0.alpha.example")
	updated, err := configtx.WithRenewedConsenter(current, configtx.NewConsenter{Host: "orderer0.alpha.example", Port: 7050, TLSCert: renewed})
	if err != nil {
		t.Fatal(err)
	}
	u := compute(t, current, updated)
	cu := decodeEnvelope(t, u.Envelope()).ConfigUpdateEnvelope.ConfigUpdate
	write := cu.WriteSet.Groups["Orderer"]
	groups, values, policies := groupKeys(write)
	if len(groups)+len(policies) != 0 || !slices.Equal(values, []string{"ConsensusType"}) {
		t.Errorf("write set /Channel/Orderer: groups %v, values %v, policies %v; want ConsensusType only", groups, values, policies)
	}
	var ct decodedConsensus
	v := write.value(t, "ConsensusType", &ct)
	if v.Version != 1 || v.ModPolicy != "Admins" || ct.Etcdraft == nil {
		t.Fatalf("ConsensusType: version %d, mod_policy %q, %+v", v.Version, v.ModPolicy, ct)
	}
	if len(ct.Etcdraft.Consenters) != 3 {
		t.Fatalf("consenters %+v", ct.Etcdraft.Consenters)
	}
	for _, c := range ct.Etcdraft.Consenters {
		endpoint := fmt.Sprintf("%s:%d", c.Host, c.Port)
		want := string(n.consenterTLS[endpoint])
		if endpoint == "orderer0.alpha.example:7050" {
			want = string(renewed)
		}
		if c.ClientTLSCert != want || c.ServerTLSCert != want {
			t.Errorf("consenter %s: certificates are not the %s ones", endpoint, map[bool]string{true: "renewed", false: "recorded"}[endpoint == "orderer0.alpha.example:7050"])
		}
	}
	reqs := requirements(t, u, current)
	if len(reqs) != 1 || reqs[0].Policy != "/Channel/Orderer/Admins" || reqs[0].Rule != "MAJORITY" || reqs[0].Threshold != 2 {
		t.Errorf("requirements %+v, want MAJORITY of /Channel/Orderer/Admins (2 of 2)", reqs)
	}
	if _, err := configtx.WithRenewedConsenter(current, configtx.NewConsenter{Host: "orderer9.alpha.example", Port: 7050, TLSCert: renewed}); err == nil || !strings.Contains(err.Error(), "is not a consenter") {
		t.Errorf("renewing an orderer that is no consenter: %v", err)
	}
}
