// Package policies renders the consortium's Kyverno ClusterPolicies, policies/, from
// the network's compliance block and topology. Each party's policies sit in their own
// directory, policies/parties/<party>/, naming only that party's namespaces, and each
// of its clusters applies that directory alone, before the party's workloads: a
// namespace of one party is never subject to rules in a cluster it does not run in,
// whatever it is called there. The directory stays under policies/, so changing it is
// still a change every party approves. Policies name namespaces explicitly (rather
// than selecting them by label) so the Kyverno CLI can evaluate them offline, in CI.
package policies

import (
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/manifest"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
)

// Dir is the policies directory; TestsDir holds the hand-written kyverno test suites,
// which the generator never touches.
const (
	Dir      = "policies"
	TestsDir = "policies/tests"
)

// PartyDir is the directory of party's policies, which each of its clusters applies.
func PartyDir(party string) string { return path.Join(Dir, "parties", party) }

// LedgerKinds are the kinds flux-ledger puts in ledger namespaces, and the Pods and
// volume claims their controllers create from them.
var LedgerKinds = []string{"ConfigMap", "NetworkPolicy", "PersistentVolumeClaim", "Pod", "PodDisruptionBudget", "Secret", "Service", "StatefulSet"}

// Files maps paths relative to policies/ to contents.
type Files map[string][]byte

// Render renders, for every party, its policy files and their kustomization.yaml.
func Render(network *model.Network) (Files, error) {
	files := Files{}
	for _, name := range network.PartyNames() {
		party, err := Party(network, name)
		if err != nil {
			return nil, err
		}
		dir := strings.TrimPrefix(PartyDir(name), Dir+"/")
		for file, data := range party {
			files[path.Join(dir, file)] = data
		}
	}
	return files, nil
}

// Party renders one party's policies: the files of PartyDir(name), by path relative
// to it.
func Party(network *model.Network, name string) (map[string][]byte, error) {
	party := network.Parties[name]
	namespaces := []string{party.Namespace}
	policies := map[string]map[string]any{
		"allowed-registries.yaml": allowedRegistries(network, namespaces),
		"pod-security.yaml":       podSecurity(namespaces),
		"required-labels.yaml":    requiredLabels(network, name, namespaces),
		"resources.yaml":          resources(namespaces),
		"flux-multi-tenancy.yaml": fluxTenancy(GitOpsNamespaces(network, name)),
		"isolation.yaml":          isolation(network, party),
	}
	dir := strings.TrimPrefix(PartyDir(name), Dir+"/")
	files := map[string][]byte{}
	var resources []string
	for file, policy := range policies {
		if err := checkValidateOnly(path.Join(dir, file), policy); err != nil {
			return nil, err
		}
		data, err := manifest.Encode(policy)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path.Join(dir, file), err)
		}
		files[file] = data
		resources = append(resources, file)
	}
	sort.Strings(resources)
	k, err := manifest.Encode(map[string]any{
		"apiVersion": "kustomize.config.k8s.io/v1beta1",
		"kind":       "Kustomization",
		"resources":  resources,
	})
	if err != nil {
		return nil, err
	}
	files["kustomization.yaml"] = k
	return files, nil
}

// GitOpsNamespaces are the namespaces where party's clusters keep their Flux objects.
func GitOpsNamespaces(network *model.Network, party string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range network.ClustersOf(party) {
		if !seen[c.GitOps.Namespace] {
			seen[c.GitOps.Namespace] = true
			out = append(out, c.GitOps.Namespace)
		}
	}
	sort.Strings(out)
	return out
}

const (
	annotationTitle       = "policies.kyverno.io/title"
	annotationDescription = "policies.kyverno.io/description"
	// AnnotationScope explains a rule's scope wherever it is narrower than one would expect.
	AnnotationScope = "ledger.flux-ledger.dev/scope"
)

func clusterPolicy(name, title, description string, rules ...map[string]any) map[string]any {
	return map[string]any{
		"apiVersion": "kyverno.io/v1",
		"kind":       "ClusterPolicy",
		"metadata": map[string]any{
			"name":        name,
			"labels":      map[string]any{model.LabelManaged: "flux-ledger"},
			"annotations": map[string]any{annotationTitle: title, annotationDescription: description},
		},
		"spec": map[string]any{"background": true, "rules": rules},
	}
}

// rule is an enforced validation rule; every rule flux-ledger generates is Enforce.
func rule(name string, match map[string]any, message string, validate map[string]any) map[string]any {
	validate["failureAction"] = "Enforce"
	validate["message"] = message
	return map[string]any{"name": name, "match": map[string]any{"any": []any{map[string]any{"resources": match}}}, "validate": validate}
}

func inNamespaces(namespaces []string, kinds ...string) map[string]any {
	return map[string]any{"kinds": kinds, "namespaces": namespaces}
}

// allowedRegistries admits images only from the consortium's registries (and only by
// digest when compliance asks for it).
func allowedRegistries(network *model.Network, namespaces []string) map[string]any {
	var alternatives []string
	for _, r := range network.Compliance.AllowedRegistries {
		if network.Compliance.RequireDigest {
			alternatives = append(alternatives, r+"/*@sha256:*")
		} else {
			alternatives = append(alternatives, r+"/*")
		}
	}
	image := strings.Join(alternatives, " | ")
	what := "registries " + strings.Join(network.Compliance.AllowedRegistries, ", ")
	if network.Compliance.RequireDigest {
		what += ", pinned by digest"
	}
	return clusterPolicy("ledger-allowed-registries", "Allowed image registries",
		"Ledger pods run images only from the consortium's "+what+".",
		rule("allowed-registries", inNamespaces(namespaces, "Pod"), "images must come from the consortium's "+what, map[string]any{
			"pattern": map[string]any{"spec": map[string]any{
				"=(initContainers)": []any{map[string]any{"image": image}},
				"containers":        []any{map[string]any{"image": image}},
			}},
		}))
}

// podSecurity enforces the restricted Pod Security Standard in ledger namespaces.
func podSecurity(namespaces []string) map[string]any {
	return clusterPolicy("ledger-pod-security", "Restricted pod security",
		"Ledger pods meet the restricted Pod Security Standard: non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp.",
		rule("restricted", inNamespaces(namespaces, "Pod"), "ledger pods must meet the restricted Pod Security Standard", map[string]any{
			"podSecurity": map[string]any{"level": "restricted", "version": "latest"},
		}))
}

// requiredLabels makes every ledger object say which network and party it belongs to.
func requiredLabels(network *model.Network, party string, namespaces []string) map[string]any {
	match := inNamespaces(namespaces, LedgerKinds...)
	r := rule("network-and-party", match, "objects in ledger namespaces must carry the "+model.LabelNetwork+" and "+model.LabelParty+" labels", map[string]any{
		"pattern": map[string]any{"metadata": map[string]any{"labels": map[string]any{
			model.LabelNetwork: network.Name,
			model.LabelParty:   "?*",
		}}},
	})
	r["exclude"] = notTheParty(network, party)
	p := clusterPolicy("ledger-required-labels", "Network and party labels",
		"Every object in a ledger namespace is labelled with its network and owning party.", r)
	return p
}

// notTheParty excludes from the label rules what others make in the party's
// namespace. Kubernetes publishes its CA bundle into every namespace. Where one of the
// party's clusters runs a share, the Prometheus Operator makes Secrets, rule
// ConfigMaps and a governing Service for the share's Prometheus that carry its labels
// only (monitoring.ShareOperatorNames says which and why): without this the party's
// policies refuse the operator's configuration Secret, and the share never starts.
// The exclusion is by kind, name and the operator's managed-by label together (a
// resource filter matches only when each of its conditions does: kyverno v1.19.1
// pkg/engine/utils/match.go doesResourceMatchConditionBlock), and
// the share's StatefulSet and pods, which carry the party's labels, stay checked.
func notTheParty(network *model.Network, party string) map[string]any {
	filters := []any{map[string]any{"resources": map[string]any{"kinds": []string{"ConfigMap"}, "names": []string{"kube-root-ca.crt"}}}}
	for _, c := range network.ClustersOf(party) {
		if c.Monitoring.Share != nil {
			filters = append(filters, map[string]any{"resources": map[string]any{
				"kinds":    monitoring.ShareOperatorKinds,
				"names":    monitoring.ShareOperatorNames,
				"selector": map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/managed-by": monitoring.OperatorManagedBy}},
			}})
			break
		}
	}
	return map[string]any{"any": filters}
}

// resources requires requests and limits on every container of a ledger pod.
func resources(namespaces []string) map[string]any {
	quantities := map[string]any{"cpu": "?*", "memory": "?*"}
	return clusterPolicy("ledger-resources", "Requests and limits",
		"Every container of a ledger pod declares CPU and memory requests and limits.",
		rule("requests-and-limits", inNamespaces(namespaces, "Pod"), "every container needs cpu and memory requests and limits", map[string]any{
			"pattern": map[string]any{"spec": map[string]any{
				"=(initContainers)": []any{map[string]any{"resources": map[string]any{"requests": quantities, "limits": quantities}}},
				"containers":        []any{map[string]any{"resources": map[string]any{"requests": quantities, "limits": quantities}}},
			}},
		}))
}

// isolation keeps one party's objects in its own namespace and other parties' objects
// out of it.
func isolation(network *model.Network, party model.Party) map[string]any {
	owned := rule("owned-by-"+party.Name, inNamespaces([]string{party.Namespace}, LedgerKinds...),
		"namespace "+party.Namespace+" holds only party "+party.Name+"'s objects", map[string]any{
			"pattern": map[string]any{"metadata": map[string]any{"labels": map[string]any{model.LabelParty: party.Name}}},
		})
	owned["exclude"] = notTheParty(network, party.Name)
	stays := rule("stays-in-"+party.Namespace, map[string]any{
		"kinds":    LedgerKinds,
		"selector": map[string]any{"matchLabels": map[string]any{model.LabelParty: party.Name}},
	}, "party "+party.Name+"'s objects belong in namespace "+party.Namespace, map[string]any{"deny": map[string]any{}})
	stays["exclude"] = map[string]any{"any": []any{map[string]any{"resources": map[string]any{"namespaces": []string{party.Namespace}}}}}
	return clusterPolicy("ledger-isolation-"+party.Name, "Isolation of party "+party.Name,
		"Party "+party.Name+"'s objects stay in "+party.Namespace+", and nothing of another party lands there.", owned, stays)
}

// fluxTenancy holds the Flux Kustomizations flux-ledger generates to the multi-tenancy
// rules: an impersonated service account, and a source in their own namespace.
func fluxTenancy(namespaces []string) map[string]any {
	match := map[string]any{
		"kinds":      []string{"kustomize.toolkit.fluxcd.io/v1/Kustomization"},
		"namespaces": namespaces,
		"selector":   map[string]any{"matchLabels": map[string]any{model.LabelManaged: "flux-ledger"}},
	}
	account := rule("service-account", match, "Flux Kustomizations must name the service account they apply as", map[string]any{
		"pattern": map[string]any{"spec": map[string]any{"serviceAccountName": "?*"}},
	})
	source := rule("source-in-namespace", match, "Flux Kustomizations must take their source from their own namespace", map[string]any{
		"deny": map[string]any{"conditions": map[string]any{"any": []any{map[string]any{
			"key":      "{{ request.object.spec.sourceRef.namespace || request.object.metadata.namespace }}",
			"operator": "NotEquals",
			"value":    "{{ request.object.metadata.namespace }}",
		}}}},
	})
	p := clusterPolicy("ledger-flux-multi-tenancy", "Flux multi-tenancy",
		"Flux Kustomizations generated by flux-ledger impersonate a named service account and read a source in their own namespace.", account, source)
	p["metadata"].(map[string]any)["annotations"].(map[string]any)[AnnotationScope] =
		"Only Kustomizations labelled managed-by flux-ledger: the entry Kustomization Arc's fluxConfiguration creates is not ours to change, and runs as flux-applier by the extension's default."
	return p
}

// ruleKinds are the kinds of rule a Kyverno ClusterPolicy rule may carry. Only
// validate rules may reach a cluster through policies/: mutate and generate rules (and
// verifyImages, which rewrites image references) act with Kyverno's own controllers'
// permissions, not with those of whoever applied the policy, so an account that may
// only create ClusterPolicies could otherwise change or create anything Kyverno can.
var ruleKinds = []string{"validate", "mutate", "generate", "verifyImages"}

// checkValidateOnly refuses a policy with any rule that is not a validate rule.
func checkValidateOnly(file string, policy map[string]any) error {
	spec, _ := policy["spec"].(map[string]any)
	rules, _ := spec["rules"].([]map[string]any)
	for _, r := range rules {
		for _, kind := range ruleKinds[1:] {
			if _, ok := r[kind]; ok {
				return fmt.Errorf("%s: rule %v is a %s rule; policies/ may hold validate rules only", file, r["name"], kind)
			}
		}
		if _, ok := r["validate"]; !ok {
			return fmt.Errorf("%s: rule %v is not a validate rule; policies/ may hold validate rules only", file, r["name"])
		}
	}
	return nil
}

// jsonList is a JMESPath literal of strings.
func jsonList(items []string) string {
	data, _ := json.Marshal(items) // a []string always marshals
	return string(data)
}

// GuardName is the ClusterPolicy that keeps policies/ validate-only on the cluster.
const GuardName = "ledger-policies-validate-only"

// Guard is the ClusterPolicy that refuses, at admission, from the service account that
// applies party's policies (namespace/name):
//
//   - any ClusterPolicy or Policy with a mutate, generate or verifyImages rule;
//   - any rule aimed at a namespace that is not the party's: one that names another
//     namespace (flux-system, kube-system, Kyverno's, a wildcard), selects namespaces by
//     label, or matches resources by kind alone in every namespace (a rule matching
//     everywhere must select its objects by label);
//   - any change to the guard itself.
//
// It is applied by another account, from the cluster's own entry point, so a change to
// policies/ cannot remove it.
func Guard(network *model.Network, party, namespace, account string) map[string]any {
	subjects := []any{map[string]any{"kind": "ServiceAccount", "name": account, "namespace": namespace}}
	createOrUpdate := map[string]any{"any": []any{map[string]any{"key": "{{ request.operation }}", "operator": "AnyIn", "value": []string{"CREATE", "UPDATE"}}}}
	byAccount := func(r map[string]any) map[string]any {
		r["match"].(map[string]any)["any"].([]any)[0].(map[string]any)["subjects"] = subjects
		return r
	}
	policyKinds := map[string]any{"kinds": []string{"kyverno.io/v1/ClusterPolicy", "kyverno.io/v1/Policy"}}
	r := byAccount(rule("validate-rules-only", policyKinds,
		"policies applied by "+namespace+"/"+account+" may hold validate rules only: mutate, generate and verifyImages rules run with Kyverno's own permissions",
		map[string]any{"deny": map[string]any{"conditions": map[string]any{"any": []any{map[string]any{
			"key":      "{{ length(request.object.spec.rules[?mutate || generate || verifyImages] || `[]`) }}",
			"operator": "GreaterThan",
			"value":    0,
		}}}}}))
	r["preconditions"] = createOrUpdate
	own := append([]string{network.Parties[party].Namespace}, GitOpsNamespaces(network, party)...)
	// A rule matches by match.any[], match.all[] or the older match.resources. The
	// wildcard test is apart because AnyNotIn reads "tradenet-*" as a pattern that
	// matches an allowed name. JMESPath's ! binds tighter than a field path: !(a.b).
	var aimed []any
	count := func(expr string) map[string]any {
		return map[string]any{"key": "{{ length((" + expr + ") || `[]`) }}", "operator": "GreaterThan", "value": 0}
	}
	for _, blocks := range []string{"match.any[]", "match.all[]", "match"} {
		named := "request.object.spec.rules[]." + blocks + ".resources.namespaces[]"
		aimed = append(aimed,
			map[string]any{"key": "{{ " + named + " || `[]` }}", "operator": "AnyNotIn", "value": own},
			count(named+" | [?contains(@, '*') || contains(@, '?')]"),
			count("request.object.spec.rules[]."+blocks+".resources.namespaceSelector"),
		)
	}
	// A namespaced Policy acts in its own namespace whatever its rules say (the account
	// may not create one today: belt and braces).
	aimed = append(aimed,
		map[string]any{"key": "{{ request.object.kind == 'Policy' && !contains(`" + jsonList(own) + "`, request.object.metadata.namespace) }}", "operator": "Equals", "value": true},
		count("request.object.spec.rules[].match.any[?!(resources.namespaces) && !(resources.selector)][]"),
		count("request.object.spec.rules[].match.all[?!(resources.namespaces) && !(resources.selector)][]"),
		count("request.object.spec.rules[?match.resources && !(match.resources.namespaces) && !(match.resources.selector)]"),
	)
	scope := byAccount(rule("own-namespaces-only", policyKinds,
		"policies applied by "+namespace+"/"+account+" may only name namespaces "+strings.Join(own, ", ")+", and a rule matching in every namespace must select its objects by label",
		map[string]any{"deny": map[string]any{"conditions": map[string]any{"any": aimed}}}))
	scope["preconditions"] = createOrUpdate
	// Without this the account could first replace the guard with a harmless rule,
	// then apply mutate rules in a second commit.
	guard := byAccount(rule("guard-not-theirs", map[string]any{
		"kinds":      []string{"kyverno.io/v1/ClusterPolicy"},
		"names":      []string{GuardName},
		"operations": []string{"CREATE", "UPDATE", "DELETE"},
	}, "policy "+GuardName+" is applied from each cluster's entry point, not by "+namespace+"/"+account, map[string]any{"deny": map[string]any{}}))
	p := clusterPolicy(GuardName, "Validate-only policies",
		"The account that applies the party's policies may create validate rules aimed at the party's namespaces only, and may not change this policy.", r, scope, guard)
	p["metadata"].(map[string]any)["labels"].(map[string]any)[model.LabelNetwork] = network.Name
	// A background scan would report on every existing policy; this is an admission rule.
	p["spec"].(map[string]any)["background"] = false
	return p
}
