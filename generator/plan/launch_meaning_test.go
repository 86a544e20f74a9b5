package plan_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/launch/launchtest"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// The launch pull request (launched: true and the recorded genesis) reads like a
// routine edit; plan says, in words, that it freezes block 0 for ever and what it
// holds. A change after launch does not say it again.
func TestPlanSaysALaunchFreezesBlockZero(t *testing.T) {
	repo := launchtest.Unlaunched(t)
	base := loadNetwork(t, filepath.Join(repo, "cue"))
	if _, err := launch.Launch(repo); err != nil {
		t.Fatal(err)
	}
	launchtest.Generate(t, repo)
	head := loadNetwork(t, filepath.Join(repo, "cue"))

	var validators []string
	for name, node := range base.Nodes {
		if node.Role == "validator" {
			validators = append(validators, name)
		}
	}
	slices.Sort(validators)
	want := fmt.Sprintf("launch: block 0 is frozen for ever (chain id %d, %s, %d validators: %s)", base.ChainID, base.Consensus.Algorithm, len(validators), strings.Join(validators, ", "))
	p := compute(t, base, head)
	if len(p.Refused) > 0 {
		t.Fatalf("refused: %v", p.Refused)
	}
	if !slices.ContainsFunc(p.Consequences, func(c string) bool { return strings.HasPrefix(c, want) }) {
		t.Errorf("no consequence starting %q:\n%s", want, strings.Join(p.Consequences, "\n"))
	}
	for _, c := range compute(t, head, head).Consequences {
		if strings.HasPrefix(c, "launch:") {
			t.Errorf("an unchanged launched network says %q", c)
		}
	}
}

// On Fabric the launch freezes each channel's genesis block: plan says so, naming the
// channels, and how members change from then on.
func TestPlanSaysAFabricLaunchFreezesTheChannels(t *testing.T) {
	repo, _ := testenv.FabricRepo(t)
	if _, err := keys.Init(repo, keys.InitOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	launchtest.Generate(t, repo)
	before := loadNetwork(t, filepath.Join(repo, "cue"))
	if _, err := launch.Launch(repo); err != nil {
		t.Fatal(err)
	}
	launched := loadNetwork(t, filepath.Join(repo, "cue"))
	var channels []string
	for name := range before.Fabric.Channels {
		channels = append(channels, name)
	}
	slices.Sort(channels)
	want := "launch: the genesis block of channel " + strings.Join(channels, ", ") + " is frozen for ever"
	p := compute(t, before, launched)
	if !slices.ContainsFunc(p.Consequences, func(c string) bool { return strings.HasPrefix(c, want) }) {
		t.Errorf("no consequence starting %q:\n%s", want, strings.Join(p.Consequences, "\n"))
	}
}

// A node moved into another party's cluster passes vet (the model is consistent) but
// would run under the new party with the old party's identity and sealed key: plan
// refuses it, naming both parties and what to do instead.
func TestPlanRefusesANodeChangingHands(t *testing.T) {
	repo := launchtest.Repo(t)
	base := loadNetwork(t, filepath.Join(repo, "cue"))
	head := loadNetwork(t, filepath.Join(repo, "cue"))
	node := head.Nodes["alpha-rpc"]
	var betaCluster string
	for name, c := range head.Clusters {
		if c.Party == "beta" {
			betaCluster = name
		}
	}
	node.Cluster, node.Party = betaCluster, "beta"
	head.Nodes["alpha-rpc"] = node
	p := compute(t, base, head)
	want := "node alpha-rpc moves from party alpha to party beta (cluster " + betaCluster + ")"
	if !slices.ContainsFunc(p.Refused, func(r string) bool { return strings.HasPrefix(r, want) }) {
		t.Errorf("no refusal starting %q: %v", want, p.Refused)
	}
	if p := compute(t, base, base); len(p.Refused) != 0 {
		t.Errorf("an unchanged network is refused: %v", p.Refused)
	}
}
