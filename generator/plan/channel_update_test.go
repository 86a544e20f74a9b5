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
	"github.com/flux-ledger/flux-ledger/generator/plan"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// launchedChannel launches the Fabric reference network with channel trade's members
// set to members, and returns the repository and the launched network.
func launchedChannel(t *testing.T, members ...string) (string, *model.Network) {
	t.Helper()
	repo, _ := testenv.FabricRepo(t)
	setMembers(t, repo, members...)
	if _, err := keys.Init(repo, keys.InitOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := generator.Generate(generator.Options{Repo: repo}); err != nil {
		t.Fatal(err)
	}
	if _, err := launch.Launch(repo); err != nil {
		t.Fatal(err)
	}
	return repo, loadNetwork(t, filepath.Join(repo, "cue"))
}

// setMembers writes channel trade's members into cue/network.cue.
func setMembers(t *testing.T, repo string, members ...string) {
	t.Helper()
	file := filepath.Join(repo, "cue", "network.cue")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	const marker = "// members default to every party, consenters to every orderer."
	text := string(data)
	if i := strings.Index(text, "members: ["); i >= 0 {
		text = text[:i] + marker + text[i+strings.Index(text[i:], "]")+1:]
	}
	if !strings.Contains(text, marker) {
		t.Fatalf("examples/fabric/network.cue no longer says %q", marker)
	}
	line := `members: ["` + strings.Join(members, `", "`) + `"]`
	if err := os.WriteFile(file, []byte(strings.Replace(text, marker, line, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func withMembers(t *testing.T, repo string, members ...string) *model.Network {
	t.Helper()
	return withTrade(t, repo, func(ch *model.Channel) { ch.Members = members })
}

// withTrade is the repository's network with channel trade edited in the model only.
func withTrade(t *testing.T, repo string, edit func(*model.Channel)) *model.Network {
	t.Helper()
	n := loadNetwork(t, filepath.Join(repo, "cue"))
	ch := n.Fabric.Channels["trade"]
	edit(&ch)
	n.Fabric.Channels["trade"] = ch
	return n
}

// A party joining a running channel: plan names the update generate renders and the
// signatures it needs. /Channel/Application's mod_policy is Admins, ImplicitMeta
// MAJORITY Admins over the current member orgs (Fabric v2.5.16
// common/policies/implicitmeta.go: threshold len/2+1), so with two members both sign.
func TestPlanListsTheSignaturesAJoinNeeds(t *testing.T) {
	repo, base := launchedChannel(t, "contoso", "fabrikam")
	head := withMembers(t, repo, "contoso", "fabrikam", "northwind")
	p := compute(t, base, head)
	if len(p.Refused) != 0 || len(p.ChannelUpdates) != 1 {
		t.Fatalf("refused %v, updates %+v", p.Refused, p.ChannelUpdates)
	}
	u := p.ChannelUpdates[0]
	if u.Channel != "trade" || u.Change != "add" || u.Party != "northwind" || u.Organisation != "NorthwindMSP" || u.Sequence != 1 ||
		u.Envelope != "channels/trade/updates/1-add-northwind.pb" {
		t.Errorf("update %+v", u)
	}
	if len(u.Signatures) != 1 {
		t.Fatalf("signatures %+v", u.Signatures)
	}
	s := u.Signatures[0]
	if s.Modifies != "/Channel/Application" || s.Policy != "/Channel/Application/Admins" || s.Rule != "MAJORITY Admins" || s.Required != 2 ||
		!slices.Equal(s.Of, []string{"ContosoMSP", "FabrikamMSP"}) {
		t.Errorf("signatures %+v", s)
	}
	if !slices.ContainsFunc(p.Files, func(f tree.DirSummary) bool { return f.Dir == "channels/trade" && f.Added == 2 }) {
		t.Errorf("generated files %+v: want channels/trade with the envelope and its summary added", p.Files)
	}
	line := "channel trade: add northwind (NorthwindMSP), config sequence 1: channels/trade/updates/1-add-northwind.pb needs 2 of 2 admins' signatures (/Channel/Application/Admins, MAJORITY Admins): ContosoMSP, FabrikamMSP"
	var text, md, js strings.Builder
	p.Text(&text)
	p.Markdown(&md)
	if err := p.JSON(&js); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "Channel updates:\n  - "+line) || !strings.Contains(md.String(), "**Channel updates**\n- "+line) ||
		!strings.Contains(js.String(), `"channelUpdates"`) {
		t.Errorf("the formats lack the update:\n%s\n%s", text.String(), md.String())
	}
}

// Two changes on one channel are refused: each update is signed against the config
// the chain has, and the second would be stale once the first lands.
func TestPlanRefusesTwoChannelChanges(t *testing.T) {
	repo, base := launchedChannel(t, "contoso", "fabrikam")
	head := withMembers(t, repo, "contoso", "northwind")
	p := compute(t, base, head)
	if !contains(p.Refused, "channel trade: 2 changes pending against its config (add northwind, remove fabrikam)") || len(p.ChannelUpdates) != 0 {
		t.Errorf("refused %v, updates %+v", p.Refused, p.ChannelUpdates)
	}
}

// After channels record, the record is the config updates start from; a party
// leaving needs a majority of the three current members: 2 of 3. The leaving party
// runs no consenter (a party leaving with consenters is refused).
func TestPlanLeaveFromTheRecordedConfig(t *testing.T) {
	repo, _, _ := launchedWithConsenters(t, "contoso-orderer-1", "contoso-orderer-2", "fabrikam-orderer-1")
	// launch recorded the genesis config: recording it again rewrites nothing.
	state, written, err := launch.RecordChannel(repo, "trade", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 0 || state.Sequence != 0 ||
		!slices.Equal(state.Members, []string{"contoso", "fabrikam", "northwind"}) ||
		!slices.Equal(state.Consenters, []string{"contoso-orderer-1", "contoso-orderer-2", "fabrikam-orderer-1"}) {
		t.Fatalf("record: written %v, %+v", written, state)
	}
	base := loadNetwork(t, filepath.Join(repo, "cue"))
	if rec := base.Fabric.Channels["trade"].OnChain; rec == nil || rec.Config != state.Config {
		t.Fatal("cue/channels.cue does not load back as fabric.channels.trade.onChain")
	}
	head := withMembers(t, repo, "contoso", "fabrikam")
	p := compute(t, base, head)
	if len(p.ChannelUpdates) != 1 {
		t.Fatalf("refused %v, updates %+v", p.Refused, p.ChannelUpdates)
	}
	u := p.ChannelUpdates[0]
	if u.Envelope != "channels/trade/updates/1-remove-northwind.pb" || len(u.Signatures) != 1 || u.Signatures[0].Required != 2 || len(u.Signatures[0].Of) != 3 {
		t.Errorf("update %+v", u)
	}

	bad := filepath.Join(t.TempDir(), "trade.block")
	if err := os.WriteFile(bad, []byte("not a block"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := launch.RecordChannel(repo, "trade", bad); err == nil || !strings.HasPrefix(err.Error(), bad+": ") || strings.Contains(err.Error(), "\n") {
		t.Errorf("a bad block: %v; want one line naming the file", err)
	}
	if _, _, err := launch.RecordChannel(repo, "nosuch", ""); err == nil || !strings.Contains(err.Error(), "--channel nosuch") {
		t.Errorf("an unknown channel: %v", err)
	}
}

// launch records each channel's genesis config (cue/channels.cue), so from then on
// the schema refuses a second change too (checks.oneChannelChange): vet, generate
// and plan all stop at it, naming the channel.
func TestSchemaRefusesTwoChangesAgainstTheRecord(t *testing.T) {
	repo, _ := launchedChannel(t, "contoso", "fabrikam")
	setMembers(t, repo, "contoso", "northwind")
	_, err := load.Network(filepath.Join(repo, "cue"))
	if err == nil || !strings.Contains(err.Error(), "checks.oneChannelChange.trade") {
		t.Errorf("two changes against the record: %v", err)
	}
	setMembers(t, repo, "contoso", "fabrikam", "northwind")
	if _, err := load.Network(filepath.Join(repo, "cue")); err != nil {
		t.Errorf("one change against the record: %v", err)
	}
}

// --from reads a config block as `peer channel fetch config` writes it (here the
// genesis block: a config block at sequence 0) and refuses one of another channel,
// naming the file.
func TestRecordFromAConfigBlock(t *testing.T) {
	repo, n := launchedChannel(t, "contoso", "fabrikam", "northwind")
	genesis, _, err := launch.RecordChannel(repo, "trade", "")
	if err != nil {
		t.Fatal(err)
	}
	block := filepath.Join(t.TempDir(), "trade.block")
	raw, err := fabric.ChannelBlock(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(block, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	state, written, err := launch.RecordChannel(repo, "trade", block)
	if err != nil || len(written) != 0 || state.Config != genesis.Config || state.Sequence != 0 {
		t.Errorf("the genesis block as --from: written %v (%v); want the same record, nothing rewritten", written, err)
	}

	c, err := fabric.ChannelConfig(n, "trade")
	if err != nil {
		t.Fatal(err)
	}
	c.ID = "other"
	other, err := configtx.GenesisBlock(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(block, other, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := launch.RecordChannel(repo, "trade", block); err == nil || err.Error() != block+`: a config block of channel "other", not "trade"` {
		t.Errorf("a block of another channel: %v", err)
	}
}

// A new record of a channel's config is what ends its pending update: plan says what
// it claims the chain now holds, so the owners approve it only once they saw it.
func TestPlanSaysWhatANewRecordClaims(t *testing.T) {
	repo, base := launchedChannel(t, "contoso", "fabrikam")
	head := loadNetwork(t, filepath.Join(repo, "cue"))
	ch := head.Fabric.Channels["trade"]
	if ch.OnChain == nil || ch.OnChain.Sequence != 0 {
		t.Fatalf("launch recorded %+v, want the genesis config at sequence 0", ch.OnChain)
	}
	was := *ch.OnChain
	ch.OnChain = &model.ChannelOnChain{Sequence: 1, Members: []string{"contoso", "fabrikam", "northwind"}, Consenters: was.Consenters, Config: "b3RoZXI="}
	head.Fabric.Channels["trade"] = ch
	const want = "channel trade: cue/channels.cue records the chain's config at sequence 1 (was 0; members: adds northwind): approve only once flux-ledger status or a config block fetched from an orderer shows the channel holds it"
	for _, tc := range []struct {
		name       string
		head       *model.Network
		wantRecord bool
	}{{"unchanged", base, false}, {"recorded", head, true}} {
		p, err := plan.Compute("base", base, tc.head)
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(p.Consequences, want); got != tc.wantRecord {
			t.Errorf("%s: consequence %q present=%t, want %t; consequences: %q", tc.name, want, got, tc.wantRecord, p.Consequences)
		}
	}
}
