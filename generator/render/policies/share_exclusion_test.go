package policies_test

import (
	"path/filepath"
	"slices"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
	"github.com/flux-ledger/flux-ledger/generator/render/policies"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// operatorFilters counts, per rule of a policy file, the exclusions naming the
// Prometheus Operator's objects of a share.
func operatorFilters(t *testing.T, data []byte) map[string]int {
	t.Helper()
	var p struct {
		Spec struct {
			Rules []struct {
				Name    string `json:"name"`
				Exclude struct {
					Any []struct {
						Resources struct {
							Kinds    []string `json:"kinds"`
							Names    []string `json:"names"`
							Selector struct {
								MatchLabels map[string]string `json:"matchLabels"`
							} `json:"selector"`
						} `json:"resources"`
					} `json:"any"`
				} `json:"exclude"`
			} `json:"rules"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range p.Spec.Rules {
		for _, f := range r.Exclude.Any {
			if f.Resources.Selector.MatchLabels["app.kubernetes.io/managed-by"] != monitoring.OperatorManagedBy {
				continue
			}
			if !slices.Equal(f.Resources.Names, monitoring.ShareOperatorNames) || !slices.Equal(f.Resources.Kinds, monitoring.ShareOperatorKinds) {
				t.Errorf("rule %s excludes %v %v, want %v %v", r.Name, f.Resources.Kinds, f.Resources.Names, monitoring.ShareOperatorKinds, monitoring.ShareOperatorNames)
			}
			out[r.Name]++
		}
	}
	return out
}

// Only a party that runs a share lets the Prometheus Operator's objects for it (which
// carry the operator's labels, not the party's) through its label rules, and only
// through the rules that read labels in its own namespace: a party without a share
// keeps the rules as strict as before. That these objects then pass, and that the
// exclusion is no wider, is shown with the real operator and Kyverno CLI in
// render/monitoring's TestSharePodsPassPartyPolicies.
func TestOnlyASharingPartyAdmitsTheOperatorsObjects(t *testing.T) {
	result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	network := result.Network
	const sharing = "contoso"
	for _, name := range network.ClusterNames() {
		if c := network.Clusters[name]; c.Party == sharing {
			c.Monitoring = model.Monitoring{Mode: model.MonitoringPrometheusOperator, Namespace: "monitoring", Share: &model.Share{}}
			network.Clusters[name] = c
			break
		}
	}
	files, err := policies.Render(network)
	if err != nil {
		t.Fatal(err)
	}
	for _, party := range network.PartyNames() {
		labels := operatorFilters(t, files["parties/"+party+"/required-labels.yaml"])
		isolation := operatorFilters(t, files["parties/"+party+"/isolation.yaml"])
		if party != sharing {
			if len(labels)+len(isolation) != 0 {
				t.Errorf("party %s shares nothing, yet excludes the operator's objects: %v %v", party, labels, isolation)
			}
			continue
		}
		owned := "owned-by-" + party
		if len(labels) != 1 || labels["network-and-party"] != 1 || len(isolation) != 1 || isolation[owned] != 1 {
			t.Errorf("party %s: operator exclusions %v in required-labels, %v in isolation; want one in network-and-party and one in %s", party, labels, isolation, owned)
		}
	}
}
