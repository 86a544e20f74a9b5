package policies_test

import (
	"path/filepath"
	"slices"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/render/policies"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

type policy struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Rules []struct {
			Name  string `json:"name"`
			Match struct {
				Any []struct {
					Resources struct {
						Kinds      []string `json:"kinds"`
						Namespaces []string `json:"namespaces"`
					} `json:"resources"`
				} `json:"any"`
			} `json:"match"`
			Validate struct {
				FailureAction string `json:"failureAction"`
			} `json:"validate"`
		} `json:"rules"`
	} `json:"spec"`
}

// TestEachPartysPoliciesCoverItsOwnNamespaces guards what the Kyverno suites cannot:
// every rule is enforced, and every namespace-scoped rule of a party's directory covers
// exactly that party's ledger namespace (a narrowed scope lets pods through unchecked; a
// wider one imposes the party's rules on a namespace of a cluster it does not run in),
// or, for the Flux rule, exactly the GitOps namespaces of its own clusters.
func TestEachPartysPoliciesCoverItsOwnNamespaces(t *testing.T) {
	result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	network := result.Network
	files, err := policies.Render(network)
	if err != nil {
		t.Fatal(err)
	}
	for _, party := range network.PartyNames() {
		var gitops []string
		for _, c := range network.Clusters {
			if c.Party == party && !slices.Contains(gitops, c.GitOps.Namespace) {
				gitops = append(gitops, c.GitOps.Namespace)
			}
		}
		slices.Sort(gitops)
		if len(gitops) == 0 {
			t.Fatalf("party %s has no cluster: the test checks nothing of the Flux rule", party)
		}
		want := map[string][]string{
			"allowed-registries.yaml": {network.Parties[party].Namespace},
			"pod-security.yaml":       {network.Parties[party].Namespace},
			"required-labels.yaml":    {network.Parties[party].Namespace},
			"resources.yaml":          {network.Parties[party].Namespace},
			"isolation.yaml":          {network.Parties[party].Namespace},
			"flux-multi-tenancy.yaml": gitops,
		}
		for name, namespaces := range want {
			file := "parties/" + party + "/" + name
			var p policy
			if err := yaml.Unmarshal(files[file], &p); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			if len(p.Spec.Rules) == 0 {
				t.Fatalf("%s has no rules", file)
			}
			scoped := 0
			for _, r := range p.Spec.Rules {
				if r.Validate.FailureAction != "Enforce" {
					t.Errorf("%s/%s: failureAction %q", file, r.Name, r.Validate.FailureAction)
				}
				for _, m := range r.Match.Any {
					if ns := m.Resources.Namespaces; ns != nil {
						scoped++
						if !slices.Equal(ns, namespaces) {
							t.Errorf("%s/%s: namespaces %v, want %v", file, r.Name, ns, namespaces)
						}
					}
				}
			}
			if scoped == 0 {
				t.Errorf("%s: no rule is scoped to a namespace", file)
			}
		}
	}
}
