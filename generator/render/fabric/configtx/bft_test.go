package configtx_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// bftNetwork turns the test network into a Fabric 3.x SmartBFT channel: four
// consenters, two per orderer org, each with its signing identity.
func bftNetwork(t *testing.T) (configtx.Channel, []configtx.BFTConsenter) {
	t.Helper()
	n := newNetwork(t)
	var consenters []configtx.BFTConsenter
	for i, o := range []struct{ party, msp string }{{"alpha", "AlphaOrdererMSP"}, {"alpha", "AlphaOrdererMSP"}, {"beta", "BetaOrdererMSP"}, {"beta", "BetaOrdererMSP"}} {
		p := n.parties[o.party]
		host := fmt.Sprintf("bft%d.%s.example", i, o.party)
		tls := p.tlsCA.tlsLeaf(t, host)
		consenters = append(consenters, configtx.BFTConsenter{
			ID: uint32(i + 1), Host: host, Port: 7050, MSPID: o.msp,
			Identity: p.ca.signingLeaf(t, host), ClientTLSCert: tls, ServerTLSCert: tls,
		})
	}
	c := n.channel
	c.Capabilities = configtx.Fabric3()
	c.Orderer.Consensus = configtx.SmartBFT{Consenters: consenters, Options: configtx.DefaultBFTOptions()}
	return c, consenters
}

// Fabric v3.1.5 configtxgen (internal/configtxgen/encoder/encoder.go NewOrdererGroup,
// case BFT): ConsensusType "BFT" with smartbft.Options as metadata, the Orderers value
// listing every consenter, capabilities V3_0 at the channel.
func TestBFTConsenters(t *testing.T) {
	c, consenters := bftNetwork(t)
	root := decodeBlock(t, encode(t, c)).root()
	orderer := root.Groups["Orderer"]

	var ct struct {
		Type     string
		Smartbft map[string]any
	}
	orderer.value(t, "ConsensusType", &ct)
	// genesisconfig/config.go genesisDefaults from SmartBFT's DefaultConfig.
	want := map[string]any{
		"requestBatchMaxCount": 100.0, "requestBatchMaxBytes": 10485760.0, "requestBatchMaxInterval": "50ms",
		"incomingMessageBufferSize": 200.0, "requestPoolSize": 400.0, "requestForwardTimeout": "2s",
		"requestComplainTimeout": "20s", "requestAutoRemoveTimeout": "3m0s", "requestMaxBytes": 0.0,
		"viewChangeResendInterval": "5s", "viewChangeTimeout": "20s", "leaderHeartbeatTimeout": "1m0s",
		"leaderHeartbeatCount": 10.0, "collectTimeout": "1s", "syncOnStart": false, "speedUpViewChange": false,
		"leaderRotation": 0.0, "decisionsPerLeader": 0.0,
	}
	if ct.Type != "BFT" {
		t.Fatalf("consensus type %q", ct.Type)
	}
	for k, v := range want {
		if ct.Smartbft[k] != v {
			t.Errorf("smartbft option %s = %v; want %v", k, ct.Smartbft[k], v)
		}
	}

	var mapping struct {
		ConsenterMapping []struct {
			ID                                     uint32
			Host                                   string
			Port                                   uint32
			MSPID                                  string `json:"mspId"`
			Identity, ClientTLSCert, ServerTLSCert string
		} `json:"consenterMapping"`
	}
	orderer.value(t, "Orderers", &mapping)
	if len(mapping.ConsenterMapping) != len(consenters) {
		t.Fatalf("%d consenters in the mapping; want %d", len(mapping.ConsenterMapping), len(consenters))
	}
	for i, got := range mapping.ConsenterMapping {
		w := consenters[i]
		if got.ID != w.ID || got.Host != w.Host || got.Port != w.Port || got.MSPID != w.MSPID ||
			got.Identity != string(w.Identity) || got.ClientTLSCert != string(w.ClientTLSCert) || got.ServerTLSCert != string(w.ServerTLSCert) {
			t.Errorf("consenter %d: %+v", i, got)
		}
	}
	var caps struct{ Capabilities []string }
	root.value(t, "Capabilities", &caps)
	if !slices.Equal(caps.Capabilities, []string{"V3_0"}) {
		t.Errorf("channel capabilities %v", caps.Capabilities)
	}
}

// common/policies/bft.go EncodeBFTBlockVerificationPolicy: BlockValidation becomes a
// signature policy requiring a quorum of the consenters' identities — 3 of 4
// (ComputeBFTQuorum: ceil((n+f+1)/2), f = (n-1)/3) — with the group's mod_policy.
func TestBFTBlockValidation(t *testing.T) {
	c, consenters := bftNetwork(t)
	p := decodeBlock(t, encode(t, c)).root().Groups["Orderer"].Policies["BlockValidation"]
	s := p.Policy.Signature
	if p.Policy.Type != signatureType || s == nil || s.Rule.NOutOf == nil {
		t.Fatalf("BlockValidation %+v; want a signature policy", p.Policy)
	}
	if s.Rule.NOutOf.N != 3 || len(s.Rule.NOutOf.Rules) != 4 || p.ModPolicy != "Admins" {
		t.Errorf("BlockValidation needs %d of %d, mod_policy %q; want 3 of 4, Admins", s.Rule.NOutOf.N, len(s.Rule.NOutOf.Rules), p.ModPolicy)
	}
	for i, id := range s.Identities {
		// msp/msp_principal.proto Classification IDENTITY = 2.
		if id.Classification != 2 || id.Identity == nil || id.Identity.MSPID != consenters[i].MSPID || id.Identity.IDBytes != string(consenters[i].Identity) {
			t.Errorf("identity %d: %+v", i, id)
		}
		if r := s.Rule.NOutOf.Rules[i]; r.SignedBy == nil || *r.SignedBy != i {
			t.Errorf("rule %d is not SignedBy %d", i, i)
		}
	}
}

// The quorum follows ComputeBFTQuorum for other sizes too.
func TestBFTQuorum(t *testing.T) {
	for n, quorum := range map[int]int{1: 1, 4: 3, 5: 4, 7: 5, 10: 7} {
		c, consenters := bftNetwork(t)
		var grown []configtx.BFTConsenter
		for i := 0; i < n; i++ {
			k := consenters[i%len(consenters)]
			k.ID, k.Port = uint32(i+1), uint32(7050+i)
			grown = append(grown, k)
		}
		c.Orderer.Consensus = configtx.SmartBFT{Consenters: grown, Options: configtx.DefaultBFTOptions()}
		p := decodeBlock(t, encode(t, c)).root().Groups["Orderer"].Policies["BlockValidation"]
		if got := p.Policy.Signature.Rule.NOutOf.N; got != quorum {
			t.Errorf("%d consenters: quorum %d; want %d", n, got, quorum)
		}
	}
}
