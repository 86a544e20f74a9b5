package flux_test

import (
	"testing"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// kustomizations decodes a cluster's sync.yaml into typed Flux Kustomizations.
func kustomizations(t *testing.T, data []byte) map[string]kustomizev1.Kustomization {
	t.Helper()
	out := map[string]kustomizev1.Kustomization{}
	for _, obj := range testenv.DecodeObjects(t, data) {
		if obj.GetKind() != kustomizev1.KustomizationKind {
			continue
		}
		raw, _ := yaml.Marshal(obj.Object)
		var k kustomizev1.Kustomization
		if err := yaml.UnmarshalStrict(raw, &k); err != nil {
			t.Fatalf("%s: %v", obj.GetName(), err)
		}
		out[k.Name] = k
	}
	return out
}

// TestWorkloadsWaitForServedPolicies: the party's ledger depends on ledger-policies,
// which depends on the guard, and both policy Kustomizations wait until Kyverno
// reports every ClusterPolicy they applied Ready — through healthCheckExprs, because
// kstatus alone calls a ClusterPolicy current as soon as it is stored. The condition
// type is Kyverno's (api/kyverno/v1/policy_status.go: PolicyConditionReady = "Ready").
func TestWorkloadsWaitForServedPolicies(t *testing.T) {
	network := referenceNetwork(t)
	for _, name := range network.ClusterNames() {
		files, err := flux.Cluster(network, peering.Of(network), network.Clusters[name], nil)
		if err != nil {
			t.Fatal(err)
		}
		ks := kustomizations(t, files["sync.yaml"])
		dependsOn := func(k, on string) bool {
			for _, d := range ks[k].Spec.DependsOn {
				if d.Name == on {
					return true
				}
			}
			return false
		}
		if !dependsOn(flux.LedgerKustomization, flux.PoliciesKustomization) || !dependsOn(flux.PoliciesKustomization, flux.GuardKustomization) {
			t.Errorf("%s: ledger → policies → guard chain broken", name)
		}
		for _, gate := range []string{flux.PoliciesKustomization, flux.GuardKustomization} {
			k := ks[gate]
			if !k.Spec.Wait || len(k.Spec.HealthCheckExprs) != 1 {
				t.Fatalf("%s/%s: wait %t, healthCheckExprs %v", name, gate, k.Spec.Wait, k.Spec.HealthCheckExprs)
			}
			e := k.Spec.HealthCheckExprs[0]
			if e.APIVersion != "kyverno.io/v1" || e.Kind != "ClusterPolicy" || e.Current != flux.PolicyReadyExpr {
				t.Errorf("%s/%s: healthCheckExprs %+v", name, gate, e)
			}
		}
		if ks[flux.GuardKustomization].Spec.ServiceAccountName == ks[flux.PoliciesKustomization].Spec.ServiceAccountName {
			t.Errorf("%s: the guard is applied by the account it restricts", name)
		}
	}
}

// TestHealthCheckExprsExistInArcFlux: Arc runs Flux 2.7 (kustomize-controller v1.7);
// its Kustomization CRD must already have spec.healthCheckExprs, or the API server
// would prune the field and the gate would silently vanish.
func TestHealthCheckExprsExistInArcFlux(t *testing.T) {
	for _, release := range []string{"2.7", "2.9"} {
		field := crdField(t, release, "Kustomization", "v1", "spec", "healthCheckExprs")
		if field == nil || field["type"] != "array" {
			t.Fatalf("Flux %s Kustomization v1 has no spec.healthCheckExprs array: %v", release, field)
		}
		for _, sub := range []string{"apiVersion", "kind", "current"} {
			if crdField(t, release, "Kustomization", "v1", "spec", "healthCheckExprs", sub) == nil {
				t.Errorf("Flux %s healthCheckExprs has no %s", release, sub)
			}
		}
	}
}
