package policies

import (
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// TestPoliciesAreValidateOnly: what ledger-policies applies holds validate rules
// only — every rendered file, read back — and the renderer refuses the other kinds.
func TestPoliciesAreValidateOnly(t *testing.T) {
	result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Render(result.Network)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if name == "kustomization.yaml" {
			continue
		}
		var p struct {
			Spec struct {
				Rules []map[string]any `json:"rules"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal(data, &p); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, r := range p.Spec.Rules {
			for _, kind := range []string{"mutate", "generate", "verifyImages"} {
				if _, ok := r[kind]; ok {
					t.Errorf("%s: rule %v has %s", name, r["name"], kind)
				}
			}
			if _, ok := r["validate"]; !ok {
				t.Errorf("%s: rule %v has no validate", name, r["name"])
			}
		}
	}
	for _, kind := range []string{"mutate", "generate", "verifyImages"} {
		bad := clusterPolicy("x", "x", "x", map[string]any{"name": "r", kind: map[string]any{}})
		if err := checkValidateOnly("x.yaml", bad); err == nil || !strings.Contains(err.Error(), kind) {
			t.Errorf("%s rule accepted: %v", kind, err)
		}
	}
}
