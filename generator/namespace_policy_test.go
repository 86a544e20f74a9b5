package generator_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/policies"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// Each cluster applies its party's policies (policies/parties/<party>/). A policy that
// selected a namespace the party does not own (kube-system, flux-system, another
// tenant's, or another party's namespace, which in this cluster may be something else
// entirely) would impose the consortium's rules there. No match block of a party's
// policies may name a namespace other than that party's ledger namespace or its
// clusters' GitOps namespaces, or select namespaces by label; and the schema refuses a
// party namespace that is reserved or taken.
func TestNoPolicySelectsANamespaceItsPartyDoesNotOwn(t *testing.T) {
	networks := map[string]string{}
	reference, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "cue", "network.cue"))
	if err != nil {
		t.Fatal(err)
	}
	networks["reference"] = string(reference)
	variants, _ := filepath.Glob(filepath.Join(testenv.RepoRoot(t), "generator", "load", "testdata", "valid", "*.cue"))
	for _, v := range variants {
		data, _ := os.ReadFile(v)
		networks[filepath.Base(v)] = string(data)
	}
	for name, network := range networks {
		t.Run(name, func(t *testing.T) {
			var n *model.Network
			if name == "reference" {
				result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
				if err != nil {
					t.Fatal(err)
				}
				n = result.Network
			} else {
				result, err := load.Network(testenv.Module(t, map[string]string{"network.cue": network}))
				if err != nil {
					t.Fatal(err)
				}
				n = result.Network
			}
			owned := map[string]map[string]bool{}
			for name, p := range n.Parties {
				owned[name] = map[string]bool{p.Namespace: true}
			}
			for _, c := range n.Clusters {
				owned[c.Party][c.GitOps.Namespace] = true
			}
			files, err := policies.Render(n)
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for file, data := range files {
				party := strings.Split(file, "/")[1]
				if owned[party] == nil {
					t.Fatalf("%s is outside every party's directory", file)
				}
				for _, doc := range strings.Split(string(data), "\n---\n") {
					var obj map[string]any
					if err := yaml.Unmarshal([]byte(doc), &obj); err != nil || obj == nil {
						continue
					}
					walkMatches(obj, false, func(resources map[string]any) {
						if _, ok := resources["namespaceSelector"]; ok {
							t.Errorf("%s: a match selects namespaces by label", file)
						}
						nss, _ := resources["namespaces"].([]any)
						for _, ns := range nss {
							checked++
							if !owned[party][ns.(string)] {
								t.Errorf("%s: a match selects namespace %v, which party %s does not own", file, ns, party)
							}
						}
					})
				}
			}
			if checked == 0 {
				t.Fatal("no policy names a namespace: the test checks nothing")
			}
		})
	}
}

// walkMatches calls f with every resources block under a match (not exclude) key.
func walkMatches(v any, inMatch bool, f func(map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		if r, ok := v["resources"].(map[string]any); ok && inMatch {
			f(r)
		}
		for k, child := range v {
			switch k {
			case "match":
				walkMatches(child, true, f)
			case "exclude":
			default:
				walkMatches(child, inMatch, f)
			}
		}
	case []any:
		for _, child := range v {
			walkMatches(child, inMatch, f)
		}
	}
}

// The schema refuses, in flux-ledger vet as in cue vet (generator/load/testdata/invalid/
// namespace-*.txtar), a party namespace that is reserved, a kube- namespace, a GitOps
// namespace or another party's.
func TestReservedNamespacesAreRefused(t *testing.T) {
	base, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "generator", "load", "testdata", "base.cue"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range append(slices.Clone([]string{"kube-system", "kube-anything", "flux-ledger", "beta-ns"}), "default", "flux-system", "kyverno", "azure-arc", "kube-public", "kube-node-lease") {
		network := strings.Replace(string(base), `contact:     "ops@alpha.example"`, `contact:     "ops@alpha.example"
		namespace:   "`+ns+`"`, 1)
		network = strings.Replace(network, `contact:     "ops@beta.example"`, `contact:     "ops@beta.example"
		namespace:   "beta-ns"`, 1)
		_, err := load.Network(testenv.Module(t, map[string]string{"network.cue": network}))
		if err == nil || !strings.Contains(err.Error(), ns) {
			t.Errorf("party namespace %q: %v, want it refused", ns, err)
		}
	}
}

// A party's namespace may be called anything the schema lets through, including what
// another party's cluster uses for its gateway or CNI. Built as kustomize-controller
// builds it, the policy directory each cluster's Flux applies names no namespace of
// another party: the cluster owner's rules stay in the cluster owner's namespaces.
func TestAClusterAppliesOnlyItsOwnPartysPolicies(t *testing.T) {
	repo := newVariantRepo(t, "seven-parties")
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	n := result.Network
	for _, name := range n.ClusterNames() {
		party := n.Clusters[name].Party
		own := map[string]bool{n.Parties[party].Namespace: true}
		for _, c := range n.Clusters {
			if c.Party == party {
				own[c.GitOps.Namespace] = true
			}
		}
		data, err := os.ReadFile(policiesAppliedBy(t, repo, name))
		if err != nil {
			t.Fatal(err)
		}
		named := 0
		for _, doc := range strings.Split(string(data), "\n---\n") {
			var obj map[string]any
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil || obj == nil {
				continue
			}
			walkMatches(obj, false, func(resources map[string]any) {
				nss, _ := resources["namespaces"].([]any)
				for _, ns := range nss {
					named++
					if !own[ns.(string)] {
						t.Errorf("cluster %s of party %s applies a policy on namespace %v", name, party, ns)
					}
				}
			})
		}
		if named == 0 {
			t.Errorf("cluster %s applies no policy naming a namespace", name)
		}
	}
}
