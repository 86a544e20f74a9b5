package plan_test

import (
	"path/filepath"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/launch/launchtest"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Every network-wide setting acts in every party's cluster at once: a change to one
// is said in words under Consequences, not only as a changed cue/ file.
func TestPlanSaysWhatASharedChangeMeans(t *testing.T) {
	repo := launchtest.Repo(t)
	dir := filepath.Join(repo, "cue")
	base := loadNetwork(t, dir)
	for _, tc := range []struct {
		setting string
		edit    func(n *model.Network)
		says    string
	}{
		{"repository URL", func(n *model.Network) { n.Repository.URL = "https://git.attacker.example/tradenet.git" }, "every cluster's Flux re-points there"},
		{"registries", func(n *model.Network) {
			n.Compliance.AllowedRegistries = append(n.Compliance.AllowedRegistries, "registry.attacker.example")
		}, "allowed registries: adds registry.attacker.example"},
		{"digest", func(n *model.Network) { n.Compliance.RequireDigest = !n.Compliance.RequireDigest }, "compliance.requireDigest becomes"},
		{"share limit", func(n *model.Network) { n.Compliance.MaxValidatorSharePercent = 100 }, "validator share limit changes from"},
		{"consensus", func(n *model.Network) { n.Consensus.RequestTimeoutSeconds++ }, "consensus settings change (requestTimeoutSeconds)"},
		{"governance", func(n *model.Network) { n.Governance.Method = model.MethodTransition }, "validator changes now go by transition instead of vote"},
		{"world-open egress", func(n *model.Network) {
			c := n.Clusters["beta-onprem"]
			c.AllowWorldOpen, c.EgressCIDRs = true, []string{"0.0.0.0/0"}
			n.Clusters["beta-onprem"] = c
		}, "cluster beta-onprem of party beta states allowWorldOpen"},
		{"reviewers", func(n *model.Network) {
			party := n.Parties["alpha"]
			party.Reviewers = []string{"@mallory"}
			n.Parties["alpha"] = party
		}, "party alpha's reviewers: adds @mallory and removes"},
		{"verify", func(n *model.Network) { n.Repository.Verify = true }, "Arc clusters (alpha-aks) cannot verify"},
	} {
		t.Run(tc.setting, func(t *testing.T) {
			head := loadNetwork(t, dir)
			tc.edit(head)
			if p := compute(t, base, head); !contains(p.Consequences, tc.says) {
				t.Errorf("consequences = %v, want %q", p.Consequences, tc.says)
			}
		})
	}
	p := compute(t, base, loadNetwork(t, dir))
	p.AddApprovals([]string{".github/workflows/flux-ledger.yml", "README.md"}, base, base)
	if !contains(p.Consequences, "CI changes (.github/workflows/flux-ledger.yml)") {
		t.Errorf("a CI change: consequences = %v", p.Consequences)
	}
}
