package owners_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/owners"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

func referenceNetwork(t testing.TB) *model.Network {
	t.Helper()
	result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	return result.Network
}

func render(t *testing.T, network *model.Network) map[string][]byte {
	t.Helper()
	files, err := owners.Render(network)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

// sharedPaths and ownPaths are the paths every test checks: no path may be left to
// nobody, a shared one needs every party, a party's own one that party alone.
var sharedPaths = []string{"cue/network.cue", "cue/schema/network.cue", "policies/pod-security.yaml",
	".sops.yaml", "CODEOWNERS", ".github/CODEOWNERS", ".github/workflows/network.yml", ".github/flux-ledger/ruleset.json",
	".azuredevops/required-reviewers.sh", "azure-pipelines.yml", "generator/render/render.go", "Makefile", "README.md",
	"module.go", "docs/BESU-GOVERNANCE.md", "examples/fabric/network.cue", "channels/trade/updates/1.pb",
	"parties/contoso-two/x.yaml"} // a directory whose name extends a party's is not that party's

func ownPaths(network *model.Network) map[string]string {
	out := map[string]string{}
	for _, name := range network.ClusterNames() {
		party := network.Clusters[name].Party
		for _, p := range []string{"parties/" + party + "/clusters/" + name + "/kustomization.yaml", "parties/" + party + "/secrets/k.yaml",
			"clusters/" + name + "/sync.yaml", "clusters/" + name + "/arc/create.sh"} {
			out[p] = party
		}
	}
	return out
}

func TestEveryRenderedFileIsOwnedByTheGenerator(t *testing.T) {
	files := render(t, referenceNetwork(t))
	for p := range files {
		if !slices.Contains(owners.Files, p) {
			t.Errorf("%s rendered but not in owners.Files", p)
		}
	}
	for _, p := range []string{owners.GitHubPath, owners.GitLabPath, owners.RulesetPath, owners.AzureDevOpsPath} {
		if files[p] == nil {
			t.Errorf("%s not rendered", p)
		}
	}
}

// TestNoReviewersNoOwnershipFiles: without reviewers (a one-party network) there is
// nothing to render.
func TestNoReviewersNoOwnershipFiles(t *testing.T) {
	network := referenceNetwork(t)
	for name, p := range network.Parties {
		p.Reviewers = nil
		network.Parties[name] = p
	}
	files, err := owners.Render(network)
	if err != nil || len(files) != 0 {
		t.Fatalf("files %v, err %v", files, err)
	}
}

// TestStrayCodeOwnersAreRefused: a code-owners file at a place GitHub or GitLab reads
// that generate does not write is refused by name.
func TestStrayCodeOwnersAreRefused(t *testing.T) {
	files := render(t, referenceNetwork(t))
	rendered := func(p string) bool { _, ok := files[p]; return ok }
	for _, stray := range []string{"docs/CODEOWNERS", ".gitlab/CODEOWNERS"} {
		err := owners.Strays(rendered, func(p string) bool { return p == stray || rendered(p) })
		if err == nil || !strings.HasPrefix(err.Error(), stray+": a code-owners file flux-ledger does not write") {
			t.Errorf("%s: %v", stray, err)
		}
	}
	if err := owners.Strays(rendered, rendered); err != nil {
		t.Error(err)
	}
	// Without reviewers nothing is rendered, and a hand-written file at the root is a
	// stray like any other.
	none := func(string) bool { return false }
	if err := owners.Strays(none, func(p string) bool { return p == "CODEOWNERS" }); err == nil {
		t.Error("a hand-written CODEOWNERS is accepted")
	}
}
