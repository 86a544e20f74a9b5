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

// TestPoliciesCoverEveryLedgerNamespace guards what the Kyverno suites cannot: every
// rule is enforced, and every common namespace-scoped rule covers every party's
// ledger namespace (a narrowed scope lets pods through unchecked).
func TestPoliciesCoverEveryLedgerNamespace(t *testing.T) {
	result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	network := result.Network
	var all []string
	for _, p := range network.PartyNames() {
		all = append(all, network.Parties[p].Namespace)
	}
	files, err := policies.Render(network)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"allowed-registries.yaml", "pod-security.yaml", "required-labels.yaml", "resources.yaml", "flux-multi-tenancy.yaml"} {
		var p policy
		if err := yaml.Unmarshal(files[name], &p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(p.Spec.Rules) == 0 {
			t.Fatalf("%s has no rules", name)
		}
		for _, r := range p.Spec.Rules {
			if r.Validate.FailureAction != "Enforce" {
				t.Errorf("%s/%s: failureAction %q", name, r.Name, r.Validate.FailureAction)
			}
			for _, m := range r.Match.Any {
				if ns := m.Resources.Namespaces; ns != nil && !slices.Equal(ns, all) {
					t.Errorf("%s/%s: namespaces %v, want every ledger namespace %v", name, r.Name, ns, all)
				}
			}
		}
	}
	for _, p := range network.PartyNames() {
		if _, ok := files["parties/"+p+".yaml"]; !ok {
			t.Errorf("no isolation policy for party %s", p)
		}
	}
}
