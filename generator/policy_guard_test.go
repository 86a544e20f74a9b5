package generator_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
	"github.com/flux-ledger/flux-ledger/generator/render/policies"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// policyWith is a ClusterPolicy with one rule of the given kind.
func policyWith(name, kind string) string {
	body := map[string]string{
		"validate": "validate:\n        failureAction: Enforce\n        message: m\n        pattern:\n          metadata:\n            labels:\n              a: b",
		"mutate":   "mutate:\n        patchStrategicMerge:\n          metadata:\n            labels:\n              owned: \"yes\"",
		"generate": "generate:\n        apiVersion: rbac.authorization.k8s.io/v1\n        kind: ClusterRoleBinding\n        name: takeover\n        data:\n          roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\n          subjects: [{kind: User, name: mallory}]",
	}[kind]
	return fmt.Sprintf(`apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: %s
spec:
  rules:
  - name: r
    match:
      any:
      - resources:
          kinds: [Namespace]
    %s
`, name, body)
}

// TestGuardRefusesMutateAndGenerateFromThePoliciesAccount applies each cluster's
// guard, with the real Kyverno CLI, to ClusterPolicies requested as the account that
// applies policies/ (the CLI matches a ServiceAccount subject against the username
// system:serviceaccount:<namespace>:<name>, kyverno pkg/utils/match/subjects.go) and as
// someone else: mutate and generate rules and any change to the guard are refused to
// that account only, validate rules pass — including every policy in policies/.
func TestGuardRefusesMutateAndGenerateFromThePoliciesAccount(t *testing.T) {
	root := testenv.RepoRoot(t)
	result, err := load.Network(filepath.Join(root, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	network := result.Network
	name := network.ClusterNames()[0]
	guard := filepath.Join(root, flux.EntryPath(name), flux.GuardDir, "guard.yaml")
	dir := t.TempDir()
	user := func(username string) string {
		path := filepath.Join(dir, username+".yaml")
		os.WriteFile(path, []byte("apiVersion: cli.kyverno.io/v1alpha1\nkind: UserInfo\nmetadata:\n  name: u\nuserInfo:\n  username: "+username+"\n"), 0o644)
		return path
	}
	account := user("system:serviceaccount:" + network.Clusters[name].GitOps.Namespace + ":" + flux.PoliciesAccount)
	admin := user("alice")
	resource := func(file, content string) string {
		path := filepath.Join(dir, file)
		os.WriteFile(path, []byte(content), 0o644)
		return path
	}
	cases := []struct {
		name, resource, user string
		fail                 bool
	}{
		{"mutate rule from the policies account", resource("m.yaml", policyWith("m", "mutate")), account, true},
		{"generate rule from the policies account", resource("g.yaml", policyWith("g", "generate")), account, true},
		{"replacing the guard from the policies account", resource("guard.yaml", policyWith(policies.GuardName, "validate")), account, true},
		{"validate rule from the policies account", resource("v.yaml", policyWith("v", "validate")), account, false},
		{"mutate rule from someone else", resource("m2.yaml", policyWith("m2", "mutate")), admin, false},
	}
	generated, _ := filepath.Glob(filepath.Join(root, "policies", "*.yaml"))
	parties, _ := filepath.Glob(filepath.Join(root, "policies", "parties", "*.yaml"))
	for _, f := range append(generated, parties...) {
		if filepath.Base(f) != "kustomization.yaml" {
			cases = append(cases, struct {
				name, resource, user string
				fail                 bool
			}{"generated " + filepath.Base(f), f, account, false})
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := kyverno(t, root, "apply", guard, "--resource", tc.resource, "--userinfo", tc.user)
			m := applySummary.FindStringSubmatch(out)
			if m == nil || m[4] != "0" {
				t.Fatalf("kyverno apply: no clean summary\n%s", out)
			}
			if failed := m[2] != "0"; failed != tc.fail {
				t.Errorf("refused = %t, want %t\n%s", failed, tc.fail, out)
			}
		})
	}
}
