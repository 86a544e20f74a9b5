package configtx_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// decodedOrderers is the BFT consenter mapping (Fabric v3 common/configuration.proto
// Orderers).
type decodedOrderers struct {
	ConsenterMapping []struct {
		ID            int    `json:"id"`
		Host          string `json:"host"`
		Port          int    `json:"port"`
		MSPID         string `json:"mspId"`
		Identity      string `json:"identity"`
		ClientTLSCert string `json:"clientTlsCert"`
		ServerTLSCert string `json:"serverTlsCert"`
	} `json:"consenterMapping"`
}

// SmartBFT: the consenter joins the Orderers value's consenter_mapping with the next
// free ID, and BlockValidation is re-derived from the new mapping, as Fabric v3.1.5
// orderer/consensus/smartbft/configverifier.go checkConsentersMatchPolicy requires:
// NOutOf(ceil((n+f+1)/2)) over one IDENTITY principal per consenter in mapping order
// (docs/source/create_channel/add_orderer.md, "Add the orderer to the policy rules").
// ConsensusType (the options) is unchanged and in neither set.
func TestBFTConsenterAddDecodesWithFabricProtos(t *testing.T) {
	c, consenters := bftNetwork(t)
	n := newNetwork(t)
	current := decodeConfig(t, c)
	gamma := n.parties["gamma"]
	identity := gamma.ca.signingLeaf(t, "bft4.gamma.example")
	tls := gamma.tlsCA.tlsLeaf(t, "bft4.gamma.example")
	updated, err := configtx.WithConsenter(current, gammaOrderer(n), configtx.NewConsenter{Host: "bft4.gamma.example", Port: 7050, TLSCert: tls, Identity: identity})
	if err != nil {
		t.Fatal(err)
	}
	u := compute(t, current, updated)
	write := decodeEnvelope(t, u.Envelope()).ConfigUpdateEnvelope.ConfigUpdate.WriteSet.Groups["Orderer"]
	if _, ok := write.Values["ConsensusType"]; !ok || write.Values["ConsensusType"].Version != 0 || write.Values["ConsensusType"].HasValue {
		t.Errorf("ConsensusType: %+v; want its version alone (the orderer group gains a member)", write.Values["ConsensusType"])
	}
	var ords decodedOrderers
	if v := write.value(t, "Orderers", &ords); v.Version != 1 || v.ModPolicy != "Admins" || len(ords.ConsenterMapping) != 5 {
		t.Fatalf("Orderers: version %d, mod_policy %q, %d consenters", v.Version, v.ModPolicy, len(ords.ConsenterMapping))
	}
	for i, m := range ords.ConsenterMapping[:4] {
		if m.ID != int(consenters[i].ID) || m.Host != consenters[i].Host || m.Identity != string(consenters[i].Identity) {
			t.Errorf("existing consenter %d changed: %+v", i, m)
		}
	}
	if m := ords.ConsenterMapping[4]; m.ID != 5 || m.Host != "bft4.gamma.example" || m.Port != 7050 || m.MSPID != "GammaOrdererMSP" ||
		m.Identity != string(identity) || m.ClientTLSCert != string(tls) || m.ServerTLSCert != string(tls) {
		t.Errorf("new consenter %+v", m)
	}
	bv := write.Policies["BlockValidation"]
	sig := bv.Policy.Signature
	// n = 5, f = (5-1)/3 = 1, quorum ceil((5+1+1)/2) = 4 (common/policies/bft.go ComputeBFTQuorum).
	if bv.Version != 1 || bv.ModPolicy != "Admins" || sig == nil || sig.Rule.NOutOf == nil || sig.Rule.NOutOf.N != 4 || len(sig.Rule.NOutOf.Rules) != 5 || len(sig.Identities) != 5 {
		t.Fatalf("BlockValidation: %+v", bv)
	}
	for i, r := range sig.Rule.NOutOf.Rules {
		if r.SignedBy == nil || *r.SignedBy != i {
			t.Errorf("BlockValidation rule %d: %+v", i, r)
		}
	}
	if last := sig.Identities[4]; last.Classification != 2 || last.Identity == nil || last.Identity.MSPID != "GammaOrdererMSP" || last.Identity.IDBytes != string(identity) {
		t.Errorf("BlockValidation's new identity: %+v", last)
	}
	for _, r := range requirements(t, u, current) {
		if r.Policy != "/Channel/Orderer/Admins" || r.Threshold != 2 || !slices.Equal(r.Orgs, []string{"AlphaOrdererMSP", "BetaOrdererMSP"}) {
			t.Errorf("requirement %+v", r)
		}
	}
}

// A BFT consenter removed: the mapping keeps the others' IDs and BlockValidation
// shrinks (n = 3, f = 0, quorum 2); a consenter added afterwards gets an ID above every
// one ever used, never the removed one's. A consenter named through an org that does
// not own it is refused.
func TestBFTConsenterRemove(t *testing.T) {
	c, consenters := bftNetwork(t)
	current := decodeConfig(t, c)
	second := hostPort(consenters[1].Host, consenters[1].Port)
	updated, err := configtx.WithoutConsenter(current, "AlphaOrdererMSP", second, false)
	if err != nil {
		t.Fatal(err)
	}
	write := decodeEnvelope(t, compute(t, current, updated).Envelope()).ConfigUpdateEnvelope.ConfigUpdate.WriteSet.Groups["Orderer"]
	var ords decodedOrderers
	write.value(t, "Orderers", &ords)
	var ids []int
	for _, m := range ords.ConsenterMapping {
		ids = append(ids, m.ID)
	}
	if !slices.Equal(ids, []int{1, 3, 4}) {
		t.Errorf("IDs after removal %v, want 1 3 4", ids)
	}
	if sig := write.Policies["BlockValidation"].Policy.Signature; sig == nil || sig.Rule.NOutOf.N != 2 || len(sig.Identities) != 3 {
		t.Errorf("BlockValidation after removal: %+v", sig)
	}

	n := newNetwork(t)
	gamma := n.parties["gamma"]
	again, err := configtx.WithConsenter(updated, gammaOrderer(n), configtx.NewConsenter{Host: "bft9.gamma.example", Port: 7050,
		TLSCert: gamma.tlsCA.tlsLeaf(t, "bft9.gamma.example"), Identity: gamma.ca.signingLeaf(t, "bft9.gamma.example")})
	if err != nil {
		t.Fatal(err)
	}
	w := compute(t, updated, again).WriteSet.Groups["Orderer"]
	if !bytes.Contains(w.Values["Orderers"].Content, []byte("bft9.gamma.example")) {
		t.Fatal("the new consenter is not in the mapping")
	}
	// Orderers{consenter_mapping = 1}: the new entry is the last; its ID field
	// (Consenter.id = 1) is the varint after the tag 0x08.
	last := lastEntry(t, w.Values["Orderers"].Content)
	if len(last) < 2 || last[0] != 0x08 || last[1] != 5 {
		t.Errorf("new consenter's ID field % x; want id 5, above 4, not the removed 2", last[:2])
	}

	if _, err := configtx.WithoutConsenter(current, "BetaOrdererMSP", second, false); err == nil {
		t.Error("removing alpha's consenter through BetaOrdererMSP: no error")
	}
}

// lastEntry returns the last length-delimited field 1 of an encoded message.
func lastEntry(t *testing.T, b []byte) []byte {
	t.Helper()
	var last []byte
	for len(b) > 0 {
		if b[0] != 0x0a {
			t.Fatalf("unexpected tag %x", b[0])
		}
		l, n := 0, 1
		for shift := 0; ; shift += 7 {
			c := b[n]
			n++
			l |= int(c&0x7f) << shift
			if c < 0x80 {
				break
			}
		}
		last, b = b[n:n+l], b[n+l:]
	}
	return last
}
