package fabric_test

import (
	"crypto/ecdsa"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// newAdmins gives every party of n a new admin certificate (in the model, as keys
// init writes cue/msp/<party>.cue) and returns the admins' keys.
func newAdmins(t *testing.T, n *model.Network) map[string]*ecdsa.PrivateKey {
	t.Helper()
	now := time.Now()
	keys := map[string]*ecdsa.PrivateKey{}
	for _, party := range n.PartyNames() {
		org, err := msp.NewOrg(msp.OrgOptions{MSPID: n.Parties[party].MSPID, Validity: msp.Validity{NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour)}})
		if err != nil {
			t.Fatal(err)
		}
		admin, err := org.CA.IssueSigning(msp.SigningOptions{Name: "Admin@" + party, Role: msp.RoleAdmin, Validity: msp.Validity{NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour)}})
		if err != nil {
			t.Fatal(err)
		}
		id := n.MSP[party]
		id.Admin = string(msp.CertPEM(admin.Cert))
		if n.MSP == nil {
			n.MSP = map[string]model.OrgIdentity{}
		}
		n.MSP[party] = id
		keys[party] = admin.Key
	}
	return keys
}

// sign records, under the update's sequence, party's signature made with key and the
// certificate cert (the party's own admin certificate unless a test says otherwise).
func sign(t *testing.T, n *model.Network, channel string, u *fabric.Update, party, mspID, cert string, key *ecdsa.PrivateKey) {
	t.Helper()
	update, err := configtx.EnvelopeConfigUpdate(u.Envelope)
	if err != nil {
		t.Fatal(err)
	}
	s, err := configtx.SignConfigUpdate(update, mspID, []byte(cert), key, nil)
	if err != nil {
		t.Fatal(err)
	}
	ch := n.Fabric.Channels[channel]
	if ch.Signatures == nil {
		ch.Signatures = map[string]map[string]model.ChannelSignature{}
	}
	seq := fmt.Sprint(u.Sequence)
	if ch.Signatures[seq] == nil {
		ch.Signatures[seq] = map[string]model.ChannelSignature{}
	}
	ch.Signatures[seq][party] = model.ChannelSignature{ConfigUpdate: fabric.UpdateDigest(update), ConfigSignature: base64.StdEncoding.EncodeToString(s.Marshal())}
	n.Fabric.Channels[channel] = ch
}

func check(t *testing.T, n *model.Network, u *fabric.Update) *fabric.UpdateSignatures {
	t.Helper()
	s, err := fabric.CheckSignatures(n, "trade", u)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func checkOf(s *fabric.UpdateSignatures, party string) fabric.SignatureCheck {
	for _, c := range s.Checks {
		if c.Party == party {
			return c
		}
	}
	return fabric.SignatureCheck{}
}

// northwind leaving the three-member channel needs /Channel/Application's Admins,
// MAJORITY of the three current members' admins: 2 of 3. Each signature counts for
// its own party only when made with that party's admin key and certificate.
func TestSignaturesOfALeaveAreCheckedAndCounted(t *testing.T) {
	all := []string{"contoso", "fabrikam", "northwind"}
	n := northwindLeaves(t)
	keys := newAdmins(t, n)
	u, err := fabric.ChannelUpdate(n, "trade")
	if err != nil || u == nil {
		t.Fatalf("update: %v", err)
	}
	msp := func(p string) string { return n.Parties[p].MSPID }

	s := check(t, n, u)
	if len(s.Checks) != 0 || len(s.Progress) != 1 || s.Met() {
		t.Fatalf("no signatures: %+v", s)
	}
	if p := s.Progress[0]; p.Threshold != 2 || p.More != 2 || len(p.SignedBy) != 0 || !slices.Equal(p.Missing, all) {
		t.Errorf("no signatures: %+v", p)
	}

	sign(t, n, "trade", u, "contoso", msp("contoso"), n.MSP["contoso"].Admin, keys["contoso"])
	s = check(t, n, u)
	if p := s.Progress[0]; s.Met() || p.More != 1 || !slices.Equal(p.SignedBy, []string{"contoso"}) || !slices.Equal(p.Missing, []string{"fabrikam", "northwind"}) {
		t.Errorf("contoso signed: %+v", p)
	}

	// northwind's entry made by fabrikam's admin (its key and certificate), then
	// with northwind's certificate but fabrikam's key: neither counts, both refused.
	sign(t, n, "trade", u, "northwind", msp("northwind"), n.MSP["fabrikam"].Admin, keys["fabrikam"])
	c := checkOf(check(t, n, u), "northwind")
	if c.Valid || !strings.Contains(c.Refused, "not party northwind's admin certificate (cue/msp/northwind.cue)") || c.File != "cue/signatures_northwind.cue" {
		t.Errorf("another party's certificate: %+v", c)
	}
	sign(t, n, "trade", u, "northwind", msp("fabrikam"), n.MSP["fabrikam"].Admin, keys["fabrikam"])
	if c := checkOf(check(t, n, u), "northwind"); c.Valid || !strings.Contains(c.Refused, "signed as organisation FabrikamMSP, not party northwind's NorthwindMSP") {
		t.Errorf("another organisation: %+v", c)
	}
	sign(t, n, "trade", u, "northwind", msp("northwind"), n.MSP["northwind"].Admin, keys["fabrikam"])
	s = check(t, n, u)
	if c := checkOf(s, "northwind"); c.Valid || !strings.HasPrefix(c.Refused, "forged or invalid: ") {
		t.Errorf("northwind's certificate, fabrikam's key: %+v", c)
	}
	if s.Met() || s.Progress[0].More != 1 {
		t.Errorf("a refused signature counted: %+v", s.Progress[0])
	}

	sign(t, n, "trade", u, "northwind", msp("northwind"), n.MSP["northwind"].Admin, keys["northwind"])
	s = check(t, n, u)
	if p := s.Progress[0]; !s.Met() || p.More != 0 || !slices.Equal(p.SignedBy, []string{"contoso", "northwind"}) || len(s.Valid()) != 2 {
		t.Errorf("two of three signed: %+v", p)
	}
}

// Once the update is another — here the recorded config's Application group is at
// another version, so the read set differs while the sequence does not — every
// signature is stale: it neither counts nor is refused. So is one recorded under
// another sequence.
func TestChangedUpdateMakesSignaturesStale(t *testing.T) {
	n := northwindLeaves(t)
	keys := newAdmins(t, n)
	u, err := fabric.ChannelUpdate(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"contoso", "fabrikam"} {
		sign(t, n, "trade", u, p, n.Parties[p].MSPID, n.MSP[p].Admin, keys[p])
	}
	if !check(t, n, u).Met() {
		t.Fatal("two of three signed: not met")
	}

	_, config, _, err := fabric.OnChain(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	config.Application().Version = 3
	state, err := fabric.StateOf(n, "trade", config)
	if err != nil {
		t.Fatal(err)
	}
	ch := n.Fabric.Channels["trade"]
	ch.OnChain = &state
	ch.Signatures["9"] = map[string]model.ChannelSignature{"northwind": ch.Signatures["1"]["fabrikam"]}
	n.Fabric.Channels["trade"] = ch
	changed, err := fabric.ChannelUpdate(n, "trade")
	if err != nil || changed.Sequence != u.Sequence {
		t.Fatalf("changed update: %v", err)
	}
	s := check(t, n, changed)
	if s.Met() || s.Progress[0].More != 2 || len(s.Checks) != 3 {
		t.Fatalf("stale signatures counted: %+v", s)
	}
	for _, c := range s.Checks {
		if c.Valid || c.Refused != "" || c.Stale == "" {
			t.Errorf("%s: %+v; want stale", c.Party, c)
		}
	}
	if c := checkOf(s, "contoso"); !strings.HasPrefix(c.Stale, "signed another update") {
		t.Errorf("contoso: %q", c.Stale)
	}
	if c := checkOf(s, "northwind"); c.Stale != "signed for config sequence 9, not the pending update's 1" {
		t.Errorf("northwind: %q", c.Stale)
	}
}

// MAJORITY counts more than half of the organisations (Fabric v2.5.16
// common/policies/implicitmeta.go: len/2+1): 2 of 3, 3 of 4, 4 of 7. The requirement
// is met at exactly that many valid signatures, and a refused one never adds to it.
func TestMajorityCountsFor3And4And7Organisations(t *testing.T) {
	for _, tc := range []struct{ orgs, need int }{{3, 2}, {4, 3}, {7, 4}} {
		t.Run(fmt.Sprint(tc.orgs), func(t *testing.T) {
			n := &model.Network{Parties: map[string]model.Party{}, Fabric: &model.Fabric{Channels: map[string]model.Channel{"trade": {}}}}
			var orgs []string
			for i := range tc.orgs {
				name := fmt.Sprintf("org%d", i)
				n.Parties[name] = model.Party{Name: name, MSPID: fmt.Sprintf("Org%dMSP", i)}
				orgs = append(orgs, n.Parties[name].MSPID)
			}
			keys := newAdmins(t, n)
			u := &fabric.Update{Sequence: 4, Envelope: updateEnvelope([]byte("an update")), Requirements: []configtx.Requirement{{
				Element: "/Channel/Application", Policy: "/Channel/Application/Admins", Rule: "MAJORITY", SubPolicy: "Admins", Orgs: orgs, Threshold: tc.need,
			}}}
			// One forged signature first: org(last)'s entry made with org0's key.
			last := fmt.Sprintf("org%d", tc.orgs-1)
			sign(t, n, "trade", u, last, n.Parties[last].MSPID, n.MSP[last].Admin, keys["org0"])
			for k := 0; k < tc.orgs; k++ {
				s, err := fabric.CheckSignatures(n, "trade", u)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := s.Progress[0].More, max(0, tc.need-k); got != want || s.Met() != (k >= tc.need) {
					t.Errorf("%d of %d signed: %d more needed (met %t), want %d", k, tc.orgs, got, s.Met(), want)
				}
				if k == tc.orgs-1 {
					break // every other organisation signed; the last one's is forged
				}
				p := fmt.Sprintf("org%d", k)
				sign(t, n, "trade", u, p, n.Parties[p].MSPID, n.MSP[p].Admin, keys[p])
			}
		})
	}
}

// updateEnvelope wraps update bytes as Envelope{payload: Payload{data:
// ConfigUpdateEnvelope{config_update}}} (fabric-protos common/common.proto,
// common/configtx.proto).
func updateEnvelope(update []byte) []byte {
	wrap := func(num protowire.Number, b []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), b)
	}
	return wrap(1, wrap(2, wrap(1, update)))
}
