package plan_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/plan"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// signingRepo launches the Fabric reference network with every party a member of
// channel trade and northwind ordering none of it, then takes northwind out of the
// model: the pending update (northwind leaving) needs MAJORITY Admins of the three
// current members, 2 of 3.
func signingRepo(t *testing.T) (string, *model.Network, map[string]testenv.PartyKey) {
	t.Helper()
	repo, base, ageKeys := launchedWithConsenters(t, "contoso-orderer-1", "contoso-orderer-2", "fabrikam-orderer-1")
	setMembers(t, repo, "contoso", "fabrikam")
	return repo, base, ageKeys
}

func ids(k testenv.PartyKey) []age.Identity { return []age.Identity{k.Identity} }

func planLines(t *testing.T, p *plan.Plan) string {
	t.Helper()
	var text strings.Builder
	p.Text(&text)
	return text.String()
}

// Each party signs with its own sealed admin key; plan counts the valid signatures
// against the policy and says who else may sign, then that the update has enough.
func TestPlanCountsEachPartysSignature(t *testing.T) {
	repo, base, ageKeys := signingRepo(t)
	head := loadNetwork(t, filepath.Join(repo, "cue"))
	prefix := "channel trade: remove northwind (NorthwindMSP), config sequence 1: channels/trade/updates/1-remove-northwind.pb needs 2 of 3 admins' signatures (/Channel/Application/Admins, MAJORITY Admins): ContosoMSP, FabrikamMSP, NorthwindMSP; "
	if text := planLines(t, compute(t, base, head)); !strings.Contains(text, prefix+"no signature yet; needs 2 more of: contoso, fabrikam, northwind\n") {
		t.Errorf("before any signature:\n%s", text)
	}

	r, err := launch.SignChannel(repo, "trade", "contoso", ids(ageKeys["contoso"]))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Written) != 1 || r.Written[0] != "cue/signatures_contoso.cue" || r.Already {
		t.Errorf("contoso signing wrote %v (already %t)", r.Written, r.Already)
	}
	head = loadNetwork(t, filepath.Join(repo, "cue"))
	p := compute(t, base, head)
	if text := planLines(t, p); len(p.Refused) != 0 || !strings.Contains(text, prefix+"signed by contoso; needs 1 more of: fabrikam, northwind\n") {
		t.Errorf("refused %v; after contoso:\n%s", p.Refused, text)
	}
	s := p.ChannelUpdates[0].Signatures[0]
	if s.More != 1 || len(s.SignedBy) != 1 || s.SignedBy[0] != "contoso" {
		t.Errorf("signatures %+v", s)
	}

	// Signing again changes nothing: the valid signature is kept, not replaced.
	if r, err := launch.SignChannel(repo, "trade", "contoso", ids(ageKeys["contoso"])); err != nil || len(r.Written) != 0 || !r.Already {
		t.Errorf("signing twice: wrote %v, already %t, %v", r.Written, r.Already, err)
	}

	if _, err := launch.SignChannel(repo, "trade", "fabrikam", ids(ageKeys["fabrikam"])); err != nil {
		t.Fatal(err)
	}
	head = loadNetwork(t, filepath.Join(repo, "cue"))
	if text := planLines(t, compute(t, base, head)); !strings.Contains(text, prefix+"signed by contoso, fabrikam: enough\n") {
		t.Errorf("after contoso and fabrikam:\n%s", text)
	}
}

// A signature recorded for northwind but made by fabrikam's admin (its file copied
// and relabelled) is refused by name: it is someone signing in another party's name.
func TestPlanRefusesASignatureOfAnotherPartysAdmin(t *testing.T) {
	repo, base, ageKeys := signingRepo(t)
	if _, err := launch.SignChannel(repo, "trade", "fabrikam", ids(ageKeys["fabrikam"])); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(repo, "cue", "signatures_fabrikam.cue"))
	if err != nil {
		t.Fatal(err)
	}
	forged := strings.Replace(string(data), "fabrikam: {", "northwind: {", 1)
	if forged == string(data) {
		t.Fatalf("cue/signatures_fabrikam.cue has no fabrikam: label:\n%s", data)
	}
	if err := os.WriteFile(filepath.Join(repo, "cue", "signatures_northwind.cue"), []byte(forged), 0o644); err != nil {
		t.Fatal(err)
	}
	head := loadNetwork(t, filepath.Join(repo, "cue"))
	p := compute(t, base, head)
	want := "channel trade: cue/signatures_northwind.cue: party northwind's signature of channels/trade/updates/1-remove-northwind.pb is refused: signed as organisation FabrikamMSP, not party northwind's NorthwindMSP"
	if !contains(p.Refused, want) {
		t.Errorf("refused %v; want %q", p.Refused, want)
	}
	if s := p.ChannelUpdates[0].Signatures[0]; s.More != 1 || len(s.SignedBy) != 1 || s.SignedBy[0] != "fabrikam" {
		t.Errorf("the relabelled signature counted: %+v", s)
	}
	if r := p.ChannelUpdates[0].Recorded; len(r) != 1 || r[0].Party != "northwind" || r[0].File != "cue/signatures_northwind.cue" || r[0].State != "refused" {
		t.Errorf("recorded %+v", r)
	}
	var js strings.Builder
	if err := p.JSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"signedBy": [`, `"more": 1`, `"state": "refused"`, `"file": "cue/signatures_northwind.cue"`} {
		if !strings.Contains(js.String(), field) {
			t.Errorf("plan --output json lacks %s", field)
		}
	}
}

// channels sign refuses, naming what is wrong: no pending update, an unknown party,
// another party's age key, and a sealed key that is not the party's admin
// certificate's.
func TestSignRefusals(t *testing.T) {
	repo, _, ageKeys := signingRepo(t)
	if _, err := launch.SignChannel(repo, "trade", "contoso", ids(ageKeys["fabrikam"])); err == nil || !strings.Contains(err.Error(), "parties/contoso/secrets/msp-admin.yaml") {
		t.Errorf("fabrikam's age key for contoso: %v", err)
	}
	if _, err := launch.SignChannel(repo, "trade", "nosuch", ids(ageKeys["contoso"])); err == nil || err.Error() != "--party nosuch: no such party" {
		t.Errorf("unknown party: %v", err)
	}

	// fabrikam's sealed admin Secret in contoso's place, opened with fabrikam's age key:
	// it decrypts, but the key is not contoso's admin certificate's.
	own := filepath.Join(repo, "parties", "contoso", "secrets", "msp-admin.yaml")
	saved, err := os.ReadFile(own)
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(filepath.Join(repo, "parties", "fabrikam", "secrets", "msp-admin.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(own, other, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = launch.SignChannel(repo, "trade", "contoso", ids(ageKeys["fabrikam"]))
	if err == nil || err.Error() != "parties/contoso/secrets/msp-admin.yaml: sign.key is not the key of party contoso's admin certificate (cue/msp/contoso.cue)" {
		t.Errorf("another admin's key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(repo, "cue", "signatures_contoso.cue")); !os.IsNotExist(err) {
		t.Errorf("a refused signing wrote cue/signatures_contoso.cue (%v)", err)
	}
	if err := os.WriteFile(own, saved, 0o644); err != nil {
		t.Fatal(err)
	}

	// northwind joining instead: the update needs contoso's and fabrikam's admins.
	setMembers(t, repo, "contoso", "fabrikam", "northwind")
	if _, err := launch.SignChannel(repo, "trade", "contoso", ids(ageKeys["contoso"])); err == nil || !strings.HasPrefix(err.Error(), "channel trade has no pending member change to sign") {
		t.Errorf("no pending update: %v", err)
	}
}

// The party joining signs nothing: its organisation is not in the config the update
// is checked against, so the update needs only the current members' admins (Fabric
// v2.5.16 common/configtx/update.go verifyDeltaSet; configtx's
// TestOrgJoinSignaturesMajorityOfAdmins). The refusal comes before any key is read.
func TestSignRefusesThePartyJoining(t *testing.T) {
	repo, _ := launchedChannel(t, "contoso", "fabrikam")
	setMembers(t, repo, "contoso", "fabrikam", "northwind")
	_, err := launch.SignChannel(repo, "trade", "northwind", nil)
	want := "--party northwind: the update channels/trade/updates/1-add-northwind.pb needs the admins of ContosoMSP, FabrikamMSP, not northwind's (NorthwindMSP)"
	if err == nil || err.Error() != want {
		t.Errorf("the joining party signs: %v; want %q", err, want)
	}
}

// A party whose file still holds its signature of an update already recorded (a
// stale one, which counts for nothing) signs the pending update: the stale signature
// is dropped, not held against the new one.
func TestSignReplacesAStaleSignature(t *testing.T) {
	repo, _, ageKeys := signingRepo(t)
	if _, err := launch.SignChannel(repo, "trade", "contoso", ids(ageKeys["contoso"])); err != nil {
		t.Fatal(err)
	}
	// The same signature as if made for an earlier update, at config sequence 7.
	file := filepath.Join(repo, "cue", "signatures_contoso.cue")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	stale := strings.Replace(string(data), `"1": contoso:`, `"7": contoso:`, 1)
	if stale == string(data) {
		t.Fatalf("cue/signatures_contoso.cue has no signature for sequence 1:\n%s", data)
	}
	if err := os.WriteFile(file, []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := launch.SignChannel(repo, "trade", "contoso", ids(ageKeys["contoso"]))
	if err != nil {
		t.Fatalf("signing with a stale signature on file: %v", err)
	}
	if len(r.Written) != 1 || r.Already {
		t.Errorf("wrote %v (already %t), want the file rewritten", r.Written, r.Already)
	}
	after, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(after), `"7"`) || !strings.Contains(string(after), `"1": contoso:`) {
		t.Errorf("cue/signatures_contoso.cue after signing:\n%s", after)
	}
}
