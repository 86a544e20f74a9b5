package generator_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// validateIn is a ClusterPolicy (or, with a namespace, a Policy) with one validate
// rule matching Pods under the given match block ("any" or "all") and namespaces line.
func validateIn(name, block, namespaces, namespace string) string {
	kind, meta := "ClusterPolicy", ""
	if namespace != "" {
		kind, meta = "Policy", "\n  namespace: "+namespace
	}
	return fmt.Sprintf(`apiVersion: kyverno.io/v1
kind: %s
metadata:
  name: %s%s
spec:
  rules:
  - name: r
    match:
      %s:
      - resources:
          kinds: [Pod]
          %s
    validate:
      failureAction: Enforce
      message: m
      pattern:
        metadata:
          labels:
            a: b
`, kind, name, meta, block, namespaces)
}

// TestGuardSparesTheSystemNamespaces applies each cluster's system guard, with the real
// Kyverno CLI, to policies requested as the account that applies policies/: a rule
// aimed at kube-system, flux-system, Kyverno's or the GitOps namespace — by name, in
// match.any or match.all, or by a wildcard — and a Policy living there are refused;
// rules on the ledger namespaces pass, as do every policy in policies/, and the same
// policies from someone else.
func TestGuardSparesTheSystemNamespaces(t *testing.T) {
	root := testenv.RepoRoot(t)
	result, err := load.Network(filepath.Join(root, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	network := result.Network
	name := network.ClusterNames()[0]
	gitops := network.Clusters[name].GitOps.Namespace
	guard := filepath.Join(root, flux.EntryPath(name), flux.GuardDir, "spare-system.yaml")
	dir := t.TempDir()
	user := func(username string) string {
		path := filepath.Join(dir, username+".yaml")
		os.WriteFile(path, []byte("apiVersion: cli.kyverno.io/v1alpha1\nkind: UserInfo\nmetadata:\n  name: u\nuserInfo:\n  username: "+username+"\n"), 0o644)
		return path
	}
	account := user("system:serviceaccount:" + gitops + ":" + flux.PoliciesAccount)
	admin := user("alice")
	resource := func(file, content string) string {
		path := filepath.Join(dir, file)
		os.WriteFile(path, []byte(content), 0o644)
		return path
	}
	type tc struct {
		name, resource, user string
		fail                 bool
	}
	cases := []tc{
		{"kube-system by name", resource("a.yaml", validateIn("a", "any", "namespaces: [kube-system]", "")), account, true},
		{"flux-system in match.all", resource("b.yaml", validateIn("b", "all", "namespaces: [tradenet-contoso, flux-system]", "")), account, true},
		{"the kyverno namespace", resource("c.yaml", validateIn("c", "any", "namespaces: [kyverno]", "")), account, true},
		{"the GitOps namespace", resource("d.yaml", validateIn("d", "any", "namespaces: ["+gitops+"]", "")), account, true},
		{"a wildcard", resource("e.yaml", validateIn("e", "any", "namespaces: [kube-*]", "")), account, true},
		{"a Policy in kube-system", resource("f.yaml", validateIn("f", "any", "", "kube-system")), account, true},
		{"changing the guard", resource("g.yaml", validateIn(flux.SystemGuardName, "any", "namespaces: [tradenet-contoso]", "")), account, true},
		{"a ledger namespace", resource("h.yaml", validateIn("h", "any", "namespaces: [tradenet-contoso]", "")), account, false},
		{"kube-system from someone else", resource("i.yaml", validateIn("i", "any", "namespaces: [kube-system]", "")), admin, false},
	}
	generated, _ := filepath.Glob(filepath.Join(root, "policies", "*.yaml"))
	parties, _ := filepath.Glob(filepath.Join(root, "policies", "parties", "*.yaml"))
	for _, f := range append(generated, parties...) {
		if filepath.Base(f) != "kustomization.yaml" {
			cases = append(cases, tc{"generated " + filepath.Base(f), f, account, false})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _ := kyverno(t, root, "apply", guard, "--resource", c.resource, "--userinfo", c.user)
			m := applySummary.FindStringSubmatch(out)
			if m == nil || m[4] != "0" {
				t.Fatalf("kyverno apply: no clean summary\n%s", out)
			}
			if failed := m[2] != "0"; failed != c.fail {
				t.Errorf("refused = %t, want %t\n%s", failed, c.fail, out)
			}
		})
	}
}
