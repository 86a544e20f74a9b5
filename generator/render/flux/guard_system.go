package flux

import (
	"fmt"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// SystemGuardName is the ClusterPolicy that keeps the consortium's policies off the
// namespaces the cluster's own machinery runs in.
const SystemGuardName = "ledger-policies-spare-system"

// SystemNamespaces are the namespaces no policy of policies/ may aim at: a validate
// rule with failureAction Enforce there could refuse Kubernetes' own objects
// (kube-system), Flux's (flux-system and the cluster's GitOps namespace) or Kyverno's
// (its namespace) — and so stop the very reconciliation that would remove it.
func (r *clusterRenderer) systemNamespaces() []string {
	return []string{"flux-system", "kube-system", kyvernoNamespace, r.cluster.GitOps.Namespace}
}

// systemGuard is the ClusterPolicy that refuses, to the account applying policies/,
// a ClusterPolicy or Policy whose rules match resources in a system namespace, by name
// or by a wildcard (which could cover one), or a Policy living in one. Like the
// validate-only guard it is applied from the cluster's entry point by another account,
// and refuses that account any change to itself.
func (r *clusterRenderer) systemGuard() map[string]any {
	namespaces := r.systemNamespaces()
	subjects := []any{map[string]any{"kind": "ServiceAccount", "name": PoliciesAccount, "namespace": r.cluster.GitOps.Namespace}}
	match := func(kinds []string, extra map[string]any) map[string]any {
		resources := map[string]any{"kinds": kinds}
		for k, v := range extra {
			resources[k] = v
		}
		return map[string]any{"any": []any{map[string]any{"resources": resources, "subjects": subjects}}}
	}
	const inRules = "request.object.spec.rules[].match.[any, all][][].resources.namespaces[]"
	aimed := map[string]any{
		"name":  "no-system-namespaces",
		"match": match([]string{"kyverno.io/v1/ClusterPolicy", "kyverno.io/v1/Policy"}, nil),
		"preconditions": map[string]any{"any": []any{map[string]any{
			"key": "{{ request.operation }}", "operator": "AnyIn", "value": []string{"CREATE", "UPDATE"}}}},
		"validate": map[string]any{
			"failureAction": "Enforce",
			"message": fmt.Sprintf("policies applied by %s/%s may not aim at %s, by name or wildcard: a rule there could refuse the objects Kubernetes, Flux and Kyverno need to run, and the reconciliation that would remove it",
				r.cluster.GitOps.Namespace, PoliciesAccount, strings.Join(namespaces, ", ")),
			"deny": map[string]any{"conditions": map[string]any{"any": []any{
				map[string]any{"key": "{{ " + inRules + " || `[]` }}", "operator": "AnyIn", "value": namespaces},
				map[string]any{"key": "{{ length(" + inRules + "[?contains(@, '*') || contains(@, '?')] || `[]`) }}", "operator": "GreaterThan", "value": 0},
				map[string]any{"key": "{{ request.object.metadata.namespace || '' }}", "operator": "AnyIn", "value": namespaces},
			}}},
		},
	}
	own := map[string]any{
		"name": "guard-not-theirs",
		"match": match([]string{"kyverno.io/v1/ClusterPolicy"}, map[string]any{
			"names": []string{SystemGuardName}, "operations": []string{"CREATE", "UPDATE", "DELETE"}}),
		"validate": map[string]any{
			"failureAction": "Enforce",
			"message":       "policy " + SystemGuardName + " is applied from each cluster's entry point, not by " + r.cluster.GitOps.Namespace + "/" + PoliciesAccount,
			"deny":          map[string]any{},
		},
	}
	return map[string]any{
		"apiVersion": "kyverno.io/v1",
		"kind":       "ClusterPolicy",
		"metadata": map[string]any{
			"name":   SystemGuardName,
			"labels": map[string]any{"app.kubernetes.io/managed-by": "flux-ledger", model.LabelNetwork: r.network.Name},
			"annotations": map[string]any{
				"policies.kyverno.io/title":       "Policies spare the system namespaces",
				"policies.kyverno.io/description": "The account that applies the consortium's policies/ may not aim a rule at the namespaces of Kubernetes, Flux or Kyverno, and may not change this policy.",
			},
		},
		// An admission rule: a background scan would report on every existing policy.
		"spec": map[string]any{"background": false, "rules": []any{aimed, own}},
	}
}
