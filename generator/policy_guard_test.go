package generator_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
	"github.com/flux-ledger/flux-ledger/generator/render/policies"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// policyWith is a ClusterPolicy with one rule of the given kind, matching Pods in
// namespace tradenet-contoso.
func policyWith(name, kind string) string {
	return policyMatching(name, kind, "any:\n      - resources:\n          kinds: [Pod]\n          namespaces: [tradenet-contoso]")
}

// policyMatching is a ClusterPolicy with one rule of the given kind and match block.
func policyMatching(name, kind, match string) string {
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
      %s
    %s
`, name, match, body)
}

// TestGuardRefusesMutateAndGenerateFromThePoliciesAccount applies a cluster's guard,
// with the real Kyverno CLI, to ClusterPolicies requested as the account that applies
// the party's policies (the CLI matches a ServiceAccount subject against the username
// system:serviceaccount:<namespace>:<name>, kyverno pkg/utils/match/subjects.go) and as
// someone else: mutate and generate rules, rules aimed at namespaces that are not the
// party's (named, by wildcard, by namespace selector, or by kind alone everywhere), and
// any change to the guard are refused to that account only; validate rules on the
// party's namespaces pass — including every policy of the party's directory, and no
// other party's.
func TestGuardRefusesMutateAndGenerateFromThePoliciesAccount(t *testing.T) {
	root := testenv.RepoRoot(t)
	result, err := load.Network(filepath.Join(root, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	network := result.Network
	name := network.ClusterNames()[0]
	party := network.Clusters[name].Party
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
		{"selector-only rule from the policies account", resource("s.yaml", policyMatching("s", "validate", "any:\n      - resources:\n          kinds: [Pod]\n          selector: {matchLabels: {a: b}}")), account, false},
		{"rule on kube-system from someone else", resource("k2.yaml", policyMatching("k2", "validate", "any:\n      - resources:\n          kinds: [Pod]\n          namespaces: [kube-system]")), admin, false},
	}
	aimedElsewhere := map[string]string{
		"flux-system by match.any":       "any:\n      - resources:\n          kinds: [Deployment]\n          namespaces: [tradenet-contoso, flux-system]",
		"kube-system by match.all":       "all:\n      - resources:\n          kinds: [Pod]\n          namespaces: [kube-system]",
		"kyverno by the older match":     "resources:\n        kinds: [Pod]\n        namespaces: [kyverno]",
		"a wildcard namespace":           "any:\n      - resources:\n          kinds: [Pod]\n          namespaces: [\"tradenet-*\"]",
		"a namespace selector":           "any:\n      - resources:\n          kinds: [Pod]\n          namespaceSelector: {matchLabels: {a: b}}",
		"every namespace by kind alone":  "any:\n      - resources:\n          kinds: [Pod]",
		"every namespace, the older way": "resources:\n        kinds: [Pod]",
		"another party's namespace":      "any:\n      - resources:\n          kinds: [Pod]\n          namespaces: [tradenet-fabrikam]",
	}
	// The Kyverno CLI splits --resource at commas (cmd/cli/kubectl-kyverno/commands/apply:
	// a StringSliceVar), so the file names have none.
	fileName := strings.NewReplacer(" ", "-", ",", "", "'", "")
	policyIn := func(namespace string) string {
		return strings.Replace(policyMatching("in-ns", "validate", "any:\n      - resources:\n          kinds: [Pod]\n          selector: {matchLabels: {a: b}}"), "kind: ClusterPolicy\nmetadata:\n", "kind: Policy\nmetadata:\n  namespace: "+namespace+"\n", 1)
	}
	cases = append(cases,
		struct {
			name, resource, user string
			fail                 bool
		}{"a Policy in kube-system", resource("p1.yaml", policyIn("kube-system")), account, true},
		struct {
			name, resource, user string
			fail                 bool
		}{"a Policy in the party's namespace", resource("p2.yaml", policyIn("tradenet-contoso")), account, false})
	for what, match := range aimedElsewhere {
		cases = append(cases, struct {
			name, resource, user string
			fail                 bool
		}{"validate rule aimed at " + what, resource(fileName.Replace(what)+".yaml", policyMatching("elsewhere", "validate", match)), account, true})
	}
	own, _ := filepath.Glob(filepath.Join(root, policies.PartyDir(party), "*.yaml"))
	others, _ := filepath.Glob(filepath.Join(root, policies.Dir, "parties", "*", "*.yaml"))
	checked := 0
	for _, f := range others {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		mine := slices.Contains(own, f)
		if mine {
			checked++
		}
		// Another party's Flux rule names the GitOps namespace, flux-ledger in every
		// cluster of the reference network: it is this cluster's too.
		refused := !mine && filepath.Base(f) != "flux-multi-tenancy.yaml"
		rel, _ := filepath.Rel(filepath.Join(root, policies.Dir), f)
		cases = append(cases, struct {
			name, resource, user string
			fail                 bool
		}{"generated " + rel, f, account, refused})
	}
	if checked < 6 {
		t.Fatalf("only %d of party %s's policies found under %s", checked, party, policies.PartyDir(party))
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
