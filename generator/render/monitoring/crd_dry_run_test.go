package monitoring_test

import (
	"context"
	"path"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// The rendered PodMonitors, PrometheusRules and NetworkPolicies of the Besu and Fabric
// reference networks pass a server-side dry run against a real kube-apiserver serving
// the Prometheus Operator's own CRDs (v0.93.1, the release of the Go API they are
// rendered with; make tools copies them from its module zip into bin/crds/), and a
// PodMonitor the CRD's schema forbids is refused, so the check has teeth.
func TestMonitoringObjectsPassCRDValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd and a kube-apiserver")
	}
	crds := testenv.MonitoringCRDs(t) // with the addon's PodMonitor CRD
	besu, fabric := networks(t)
	var objects []*unstructured.Unstructured
	for _, n := range []*model.Network{besu, fabric} {
		monitorAll(n, model.MonitoringPrometheusOperator)
		for name := range n.Clusters {
			shareOn(n, name) // and its Prometheus, ServiceAccount, Role and RoleBinding
			break
		}
		for p, data := range renderTree(t, n) {
			if strings.Contains(p, "/monitoring/") && path.Base(p) != "kustomization.yaml" && path.Ext(p) == ".yaml" {
				objects = append(objects, testenv.DecodeObjects(t, data)...)
			}
		}
		monitorAzure(n)
		for p, data := range renderTree(t, n) {
			if strings.Contains(p, "/monitoring/") && (path.Base(p) == "podmonitor.yaml" || path.Base(p) == "networkpolicy.yaml") {
				objects = append(objects, testenv.DecodeObjects(t, data)...)
			}
		}
	}
	if len(objects) == 0 {
		t.Fatal("no monitoring objects rendered")
	}

	etcd := testenv.StartEtcd(t)
	kube := testenv.StartAPIServer(t, etcd, "monitoring").Connect(t)
	kube.InstallCRDs(t, crds)
	ctx := context.Background()
	namespaces := map[string]bool{}
	for _, obj := range objects {
		namespaces[obj.GetNamespace()] = true
	}
	for ns := range namespaces {
		obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
		if err := kube.Apply(ctx, obj, false); err != nil {
			t.Fatalf("create namespace %s: %v", ns, err)
		}
	}
	kinds, groups := map[string]int{}, map[string]int{}
	for _, obj := range objects {
		groups[obj.GetAPIVersion()]++
		if err := kube.Apply(ctx, obj, true); err != nil {
			t.Errorf("%s %s/%s: %v", obj.GetKind(), obj.GetNamespace(), obj.GetName(), err)
		}
		kinds[obj.GetKind()]++
	}
	if kinds["PodMonitor"] == 0 || kinds["PrometheusRule"] == 0 || kinds["NetworkPolicy"] == 0 || groups["azmonitoring.coreos.com/v1"] == 0 || kinds["Prometheus"] == 0 || kinds["RoleBinding"] == 0 {
		t.Errorf("dry-ran %v (%v), want each of PodMonitor (both groups), PrometheusRule, NetworkPolicy and a share's Prometheus and RBAC", kinds, groups)
	}
	t.Logf("server-side dry run passed: %v", kinds)

	refused := map[string]bool{}
	for _, obj := range objects {
		if obj.GetKind() != "PodMonitor" || refused[obj.GetAPIVersion()] {
			continue
		}
		refused[obj.GetAPIVersion()] = true
		// FTP is outside both enums; HTTP is outside the addon's only.
		bad := []string{"FTP"}
		if obj.GetAPIVersion() == monitoring.AzureAPIVersion {
			bad = append(bad, "HTTP")
		}
		for _, scheme := range bad {
			bad := obj.DeepCopy()
			endpoints, _, _ := unstructured.NestedSlice(bad.Object, "spec", "podMetricsEndpoints")
			endpoints[0].(map[string]any)["scheme"] = scheme
			if err := unstructured.SetNestedSlice(bad.Object, endpoints, "spec", "podMetricsEndpoints"); err != nil {
				t.Fatal(err)
			}
			if err := kube.Apply(ctx, bad, true); err == nil || !strings.Contains(err.Error(), "scheme") {
				t.Errorf("a %s PodMonitor with scheme %s: %v, want the CRD schema to refuse it", obj.GetAPIVersion(), scheme, err)
			}
		}
	}
}
