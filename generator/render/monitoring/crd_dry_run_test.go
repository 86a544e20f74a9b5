package monitoring_test

import (
	"context"
	"path"
	"path/filepath"
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
	dir := filepath.Join("crds", "prometheus-operator@v0.93.1")
	crds := testenv.ReadObjects(t,
		testenv.ToolFile(t, filepath.Join(dir, "monitoring.coreos.com_podmonitors.yaml")),
		testenv.ToolFile(t, filepath.Join(dir, "monitoring.coreos.com_prometheusrules.yaml")),
		testenv.ToolFile(t, filepath.Join(dir, "monitoring.coreos.com_prometheuses.yaml")))
	crds = append(crds, addonPodMonitorCRD(t, crds[0]))
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

// addonPodMonitorCRD stands in for Azure Monitor's PodMonitor CRD, which no pinned
// artifact ships outside its chart: Azure/prometheus-collector at 39583fd,
// otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/templates/
// ama-metrics-podmonitor-crd.yaml is the Prometheus Operator's PodMonitor CRD
// (controller-gen) under group azmonitoring.coreos.com, version v1, whose
// podMetricsEndpoints[].scheme enum is http and https only. This is the v0.93.1 CRD
// with that group and that enum; every field the rendered PodMonitor sets (selector,
// podMetricsEndpoints port, path, scheme, interval, relabelings, labelLimit,
// labelNameLengthLimit, labelValueLengthLimit) is in the addon's CRD too.
func addonPodMonitorCRD(t *testing.T, upstream *unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	crd := upstream.DeepCopy()
	crd.SetName("podmonitors.azmonitoring.coreos.com")
	crd.SetAnnotations(nil)
	if err := unstructured.SetNestedField(crd.Object, "azmonitoring.coreos.com", "spec", "group"); err != nil {
		t.Fatal(err)
	}
	versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
	for _, v := range versions {
		scheme := []string{"schema", "openAPIV3Schema", "properties", "spec", "properties", "podMetricsEndpoints", "items", "properties", "scheme"}
		if _, ok, _ := unstructured.NestedFieldNoCopy(v.(map[string]any), scheme...); !ok {
			t.Fatalf("the PodMonitor CRD has no %s", strings.Join(scheme, "."))
		}
		if err := unstructured.SetNestedSlice(v.(map[string]any), []any{"http", "https"}, append(scheme, "enum")...); err != nil {
			t.Fatal(err)
		}
	}
	if err := unstructured.SetNestedSlice(crd.Object, versions, "spec", "versions"); err != nil {
		t.Fatal(err)
	}
	return crd
}
