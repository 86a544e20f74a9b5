package plan_test

import (
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/plan"
)

// TestNoPathBelongsToNoParty: the CI definitions, the files every host reads for code
// owners, a Fabric channel's config updates, the code and the docs decide what merges
// or what every cluster runs, so each needs every party's approval.
func TestNoPathBelongsToNoParty(t *testing.T) {
	net := &model.Network{}
	for _, p := range []string{
		".github/workflows/network.yml", ".github/CODEOWNERS", ".github/flux-ledger/ruleset.json",
		"azure-pipelines.yml", ".gitlab-ci.yml", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS",
		".azuredevops/required-reviewers.sh", "channels/trade/updates/0001-add-org.pb",
		"generator/render/render.go", "cmd/flux-ledger/main.go", "module.go", "README.md",
		"docs/BESU-GOVERNANCE.md", "examples/fabric/cue/network.cue", "go.mod", "Makefile",
	} {
		if owners, everyone := plan.Owners(p, net); !everyone || len(owners) != 0 {
			t.Errorf("%s: owners %v, everyone %t; want every party", p, owners, everyone)
		}
	}
}
