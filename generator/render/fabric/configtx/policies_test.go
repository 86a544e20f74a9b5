package configtx_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// common/policies.proto: Policy.PolicyType SIGNATURE = 1, IMPLICIT_META = 3;
// ImplicitMetaPolicy.Rule ANY = 0, MAJORITY = 2. msp/msp_principal.proto:
// MSPPrincipal.Classification ROLE = 0; MSPRole MEMBER = 0, ADMIN = 1, CLIENT = 2,
// PEER = 3.
const (
	signatureType    = 1
	implicitMetaType = 3
)

var ruleNames = map[int]string{0: "ANY", 1: "ALL", 2: "MAJORITY"}
var roleNames = map[int]string{0: "member", 1: "admin", 2: "client", 3: "peer", 4: "orderer"}

// describe renders a decoded policy in configtx.yaml's words: "ANY Readers" or
// "OR('Org.admin', 'Org.peer')", checking the shape policydsl.FromString gives an OR:
// NOutOf 1 over SignedBy 0..n-1, one ROLE principal each.
func describe(t *testing.T, name string, p configPolicy) string {
	t.Helper()
	switch p.Policy.Type {
	case implicitMetaType:
		im := p.Policy.ImplicitMeta
		return ruleNames[im.Rule] + " " + im.SubPolicy
	case signatureType:
		s := p.Policy.Signature
		if s.Version != 0 || s.Rule.NOutOf == nil || s.Rule.NOutOf.N != 1 {
			t.Fatalf("%s: signature policy is not an OR (NOutOf 1): %+v", name, s)
		}
		var principals []string
		for i, r := range s.Rule.NOutOf.Rules {
			if r.SignedBy == nil || *r.SignedBy != i {
				t.Fatalf("%s: rule %d is not SignedBy %d", name, i, i)
			}
			id := s.Identities[i]
			if id.Classification != 0 || id.Role == nil {
				t.Fatalf("%s: identity %d is not a ROLE principal", name, i)
			}
			principals = append(principals, fmt.Sprintf("'%s.%s'", id.Role.MSPIdentifier, roleNames[id.Role.Role]))
		}
		if len(s.Identities) != len(principals) {
			t.Fatalf("%s: %d identities for %d rules", name, len(s.Identities), len(principals))
		}
		return "OR(" + strings.Join(principals, ", ") + ")"
	}
	t.Fatalf("%s: policy type %d", name, p.Policy.Type)
	return ""
}

func policiesOf(t *testing.T, path string, g configGroup) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, p := range g.Policies {
		out[name] = describe(t, path+"/"+name, p)
	}
	return out
}

// The standard policies configtxgen writes from sampleconfig/configtx.yaml (levels) and
// fabric-samples test-network/configtx/configtx.yaml (orgs), encoded as
// encoder.go AddPolicies encodes them.
func TestStandardPolicies(t *testing.T) {
	root := decodeBlock(t, encode(t, newNetwork(t).channel)).root()
	level := map[string]string{"Readers": "ANY Readers", "Writers": "ANY Writers", "Admins": "MAJORITY Admins"}
	with := func(base map[string]string, extra ...string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(extra); i += 2 {
			out[extra[i]] = extra[i+1]
		}
		return out
	}
	appOrg := func(msp string) map[string]string {
		return map[string]string{
			"Readers":     fmt.Sprintf("OR('%[1]s.admin', '%[1]s.peer', '%[1]s.client')", msp),
			"Writers":     fmt.Sprintf("OR('%[1]s.admin', '%[1]s.client')", msp),
			"Admins":      fmt.Sprintf("OR('%s.admin')", msp),
			"Endorsement": fmt.Sprintf("OR('%s.peer')", msp),
		}
	}
	ordererOrg := func(msp string) map[string]string {
		return map[string]string{
			"Readers": fmt.Sprintf("OR('%s.member')", msp),
			"Writers": fmt.Sprintf("OR('%s.member')", msp),
			"Admins":  fmt.Sprintf("OR('%s.admin')", msp),
		}
	}
	orderer, app := root.Groups["Orderer"], root.Groups["Application"]
	want := map[string]struct {
		group    configGroup
		policies map[string]string
	}{
		"/Channel":                         {root, level},
		"/Channel/Orderer":                 {orderer, with(level, "BlockValidation", "ANY Writers")},
		"/Channel/Application":             {app, with(level, "LifecycleEndorsement", "MAJORITY Endorsement", "Endorsement", "MAJORITY Endorsement")},
		"/Channel/Orderer/AlphaOrdererMSP": {orderer.Groups["AlphaOrdererMSP"], ordererOrg("AlphaOrdererMSP")},
		"/Channel/Orderer/BetaOrdererMSP":  {orderer.Groups["BetaOrdererMSP"], ordererOrg("BetaOrdererMSP")},
		"/Channel/Application/AlphaMSP":    {app.Groups["AlphaMSP"], appOrg("AlphaMSP")},
		"/Channel/Application/BetaMSP":     {app.Groups["BetaMSP"], appOrg("BetaMSP")},
		"/Channel/Application/GammaMSP":    {app.Groups["GammaMSP"], appOrg("GammaMSP")},
	}
	for path, w := range want {
		got := policiesOf(t, path, w.group)
		for name, rule := range w.policies {
			if got[name] != rule {
				t.Errorf("%s/%s = %q; want %q", path, name, got[name], rule)
			}
		}
		if len(got) != len(w.policies) {
			t.Errorf("%s policies %v; want %v", path, keys(got), keys(w.policies))
		}
	}
}

// Every group, value and policy of a configtxgen genesis config is modified by its own
// group's Admins, except /Channel's OrdererAddresses ("/Channel/Orderer/Admins"), and is
// at version 0 (encoder.go: NewChannelGroup, NewOrdererGroup, NewOrdererOrgGroup,
// NewApplicationGroup, NewApplicationOrgGroup).
func TestModPolicies(t *testing.T) {
	n := newNetwork(t)
	n.channel.Orderer.Addresses = []string{"orderer0.alpha.example:7050"}
	root := decodeBlock(t, encode(t, n.channel)).root()
	var walk func(path string, g configGroup)
	var groups []string
	walk = func(path string, g configGroup) {
		groups = append(groups, path)
		if g.ModPolicy != "Admins" || g.Version != 0 {
			t.Errorf("%s: mod_policy %q version %d", path, g.ModPolicy, g.Version)
		}
		for k, v := range g.Values {
			want := "Admins"
			if path == "/Channel" && k == "OrdererAddresses" {
				want = "/Channel/Orderer/Admins"
			}
			if v.ModPolicy != want || v.Version != 0 {
				t.Errorf("%s value %s: mod_policy %q version %d; want %q", path, k, v.ModPolicy, v.Version, want)
			}
		}
		for k, p := range g.Policies {
			if p.ModPolicy != "Admins" || p.Version != 0 {
				t.Errorf("%s policy %s: mod_policy %q version %d", path, k, p.ModPolicy, p.Version)
			}
		}
		for k, sub := range g.Groups {
			walk(path+"/"+k, sub)
		}
	}
	walk("/Channel", root)
	slices.Sort(groups)
	want := []string{"/Channel", "/Channel/Application", "/Channel/Application/AlphaMSP", "/Channel/Application/BetaMSP",
		"/Channel/Application/GammaMSP", "/Channel/Orderer", "/Channel/Orderer/AlphaOrdererMSP", "/Channel/Orderer/BetaOrdererMSP"}
	if !slices.Equal(groups, want) {
		t.Errorf("groups %v; want %v", groups, want)
	}
}
