package plan_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// launchedWithConsenters launches the Fabric reference network with a second contoso
// orderer, every party a member of channel trade and the given consenters, and
// returns the repository and the launched network.
func launchedWithConsenters(t *testing.T, consenters ...string) (string, *model.Network, map[string]testenv.PartyKey) {
	t.Helper()
	repo, ageKeys := testenv.FabricRepo(t)
	setMembers(t, repo, "contoso", "fabrikam", "northwind")
	file := filepath.Join(repo, "cue", "network.cue")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	const node = `"contoso-orderer-1": {role: "orderer", cluster: "contoso-aks-weu", image: orderer}`
	const members = `members: ["contoso", "fabrikam", "northwind"]`
	if !strings.Contains(text, node) || !strings.Contains(text, members) {
		t.Fatalf("examples/fabric/network.cue no longer says %s", node)
	}
	text = strings.Replace(text, node, node+"\n\t\t"+strings.ReplaceAll(node, "orderer-1", "orderer-2"), 1)
	text = strings.Replace(text, members, members+"\n\t\t\tconsenters: [\""+strings.Join(consenters, `", "`)+"\"]", 1)
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Init(repo, keys.InitOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := generator.Generate(generator.Options{Repo: repo}); err != nil {
		t.Fatal(err)
	}
	if _, err := launch.Launch(repo); err != nil {
		t.Fatal(err)
	}
	return repo, loadNetwork(t, filepath.Join(repo, "cue")), ageKeys
}

func withConsenters(t *testing.T, repo string, consenters ...string) *model.Network {
	t.Helper()
	return withTrade(t, repo, func(ch *model.Channel) { ch.Consenters = consenters })
}

// A consenter added to a running channel: plan names the update and its signatures.
// ConsensusType's mod_policy is /Channel/Orderer/Admins, ImplicitMeta MAJORITY Admins
// over the three orderer orgs on chain (Fabric v2.5.16 common/policies/implicitmeta.go:
// 3/2+1 = 2); contoso's Endpoints gain the orderer, and their mod_policy is contoso's
// own Admins, OR('ContosoMSP.admin'): 1 of 1 (common/cauthdsl/cauthdsl.go).
func TestPlanListsTheSignaturesAConsenterAddNeeds(t *testing.T) {
	three := []string{"contoso-orderer-1", "fabrikam-orderer-1", "northwind-orderer-1"}
	repo, base, _ := launchedWithConsenters(t, three...)
	head := withConsenters(t, repo, append(three, "contoso-orderer-2")...)
	p := compute(t, base, head)
	if len(p.Refused) != 0 || len(p.ChannelUpdates) != 1 {
		t.Fatalf("refused %v, updates %+v", p.Refused, p.ChannelUpdates)
	}
	u := p.ChannelUpdates[0]
	if u.Change != "add-consenter" || u.Node != "contoso-orderer-2" || u.Party != "contoso" || u.Organisation != "ContosoMSP" || u.Sequence != 1 ||
		u.Envelope != "channels/trade/updates/1-add-consenter-contoso-orderer-2.pb" {
		t.Errorf("update %+v", u)
	}
	want := []ChannelSignaturesWant{
		{"/Channel/Orderer/ConsensusType", "/Channel/Orderer/Admins", "MAJORITY Admins", 2, []string{"ContosoMSP", "FabrikamMSP", "NorthwindMSP"}},
		{"/Channel/Orderer/ContosoMSP/Endpoints", "/Channel/Orderer/ContosoMSP/Admins", "SIGNATURE admin", 1, []string{"ContosoMSP"}},
	}
	if len(u.Signatures) != len(want) {
		t.Fatalf("signatures %+v", u.Signatures)
	}
	for i, w := range want {
		s := u.Signatures[i]
		if s.Modifies != w.modifies || s.Policy != w.policy || s.Rule != w.rule || s.Required != w.required || !slices.Equal(s.Of, w.of) {
			t.Errorf("signature %d: %+v; want %+v", i, s, w)
		}
	}
	var text strings.Builder
	p.Text(&text)
	line := "channel trade: add-consenter contoso-orderer-2 (ContosoMSP), config sequence 1: channels/trade/updates/1-add-consenter-contoso-orderer-2.pb needs 2 of 3 admins' signatures (/Channel/Orderer/Admins, MAJORITY Admins): ContosoMSP, FabrikamMSP, NorthwindMSP"
	if !strings.Contains(text.String(), line) {
		t.Errorf("text lacks %q:\n%s", line, text.String())
	}
}

type ChannelSignaturesWant struct {
	modifies, policy, rule string
	required               int
	of                     []string
}

// A party's last consenter removed: the orderer group loses the party's org and
// ConsensusType a consenter, both under /Channel/Orderer/Admins, listed once.
func TestPlanListsTheSignaturesAConsenterRemovalNeeds(t *testing.T) {
	four := []string{"contoso-orderer-1", "contoso-orderer-2", "fabrikam-orderer-1", "northwind-orderer-1"}
	repo, base, _ := launchedWithConsenters(t, four...)
	head := withConsenters(t, repo, four[:3]...)
	p := compute(t, base, head)
	if len(p.Refused) != 0 || len(p.ChannelUpdates) != 1 {
		t.Fatalf("refused %v, updates %+v", p.Refused, p.ChannelUpdates)
	}
	u := p.ChannelUpdates[0]
	if u.Envelope != "channels/trade/updates/1-remove-consenter-northwind-orderer-1.pb" || len(u.Signatures) != 1 {
		t.Fatalf("update %+v", u)
	}
	if s := u.Signatures[0]; s.Modifies != "/Channel/Orderer, /Channel/Orderer/ConsensusType" || s.Policy != "/Channel/Orderer/Admins" || s.Required != 2 || len(s.Of) != 3 {
		t.Errorf("signatures %+v", s)
	}
}

// A party leaving while its orderer is still a consenter is refused: its consenters
// go first, one change at a time.
func TestPlanRefusesAMemberLeavingWithConsenters(t *testing.T) {
	repo, base := launchedChannel(t, "contoso", "fabrikam", "northwind")
	head := withMembers(t, repo, "contoso", "fabrikam")
	p := compute(t, base, head)
	if !contains(p.Refused, "channel trade: party northwind leaves the channel but its orderers northwind-orderer-1 are still consenters") || len(p.ChannelUpdates) != 0 {
		t.Errorf("refused %v, updates %+v", p.Refused, p.ChannelUpdates)
	}
}

// The schema's one-change rule counts consenters too (checks.oneChannelChange): a
// consenter leaving and a member leaving in one pull request are refused by vet. A
// Raft update itself may change one consenter only (Fabric v3.1.5
// orderer/consensus/etcdraft/membership.go ComputeMembershipChanges).
func TestSchemaRefusesAConsenterChangeBesideAnother(t *testing.T) {
	four := []string{"contoso-orderer-1", "contoso-orderer-2", "fabrikam-orderer-1", "northwind-orderer-1"}
	repo, _, _ := launchedWithConsenters(t, four...)
	file := filepath.Join(repo, "cue", "network.cue")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), `consenters: ["contoso-orderer-1", "contoso-orderer-2", `, `consenters: ["contoso-orderer-1", `, 1)
	if edited == string(data) {
		t.Fatal("no consenters line to edit")
	}
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := load.Network(filepath.Join(repo, "cue")); err != nil {
		t.Fatalf("one consenter change against the record: %v", err)
	}
	edited = strings.Replace(edited, `members: ["contoso", "fabrikam", "northwind"]`, `members: ["contoso", "fabrikam"]`, 1)
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = load.Network(filepath.Join(repo, "cue"))
	if err == nil || !strings.Contains(err.Error(), "checks.oneChannelChange.trade") {
		t.Errorf("a consenter and a member change against the record: %v", err)
	}
}
