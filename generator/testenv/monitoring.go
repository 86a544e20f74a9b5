package testenv

import (
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// PrometheusOperatorRelease is the Prometheus Operator release whose CRDs `make tools`
// copies from its module zip into bin/crds/: the release of the Go API the monitoring
// objects are rendered with.
const PrometheusOperatorRelease = "v0.93.1"

// MonitoringCRDs reads the Prometheus Operator's PodMonitor, PrometheusRule and
// Prometheus CRDs from bin/crds/ and adds Azure Monitor's PodMonitor CRD (see
// AddonPodMonitorCRD): every kind a rendered monitoring directory holds beyond core
// Kubernetes. The upstream PodMonitor CRD is first.
func MonitoringCRDs(t testing.TB) []*unstructured.Unstructured {
	t.Helper()
	dir := filepath.Join("crds", "prometheus-operator@"+PrometheusOperatorRelease)
	crds := ReadObjects(t,
		ToolFile(t, filepath.Join(dir, "monitoring.coreos.com_podmonitors.yaml")),
		ToolFile(t, filepath.Join(dir, "monitoring.coreos.com_prometheusrules.yaml")),
		ToolFile(t, filepath.Join(dir, "monitoring.coreos.com_prometheuses.yaml")))
	return append(crds, AddonPodMonitorCRD(t, crds[0]))
}

// AddonPodMonitorCRD stands in for Azure Monitor's PodMonitor CRD, which no pinned
// artifact ships outside its chart: Azure/prometheus-collector at 39583fd,
// otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/templates/
// ama-metrics-podmonitor-crd.yaml is the Prometheus Operator's PodMonitor CRD
// (controller-gen) under group azmonitoring.coreos.com, version v1, whose
// podMetricsEndpoints[].scheme enum is http and https only. This is upstream (the
// v0.93.1 CRD) with that group and that enum; every field the rendered PodMonitor sets
// (selector, podMetricsEndpoints port, path, scheme, interval, relabelings,
// labelLimit, labelNameLengthLimit, labelValueLengthLimit) is in the addon's CRD too.
func AddonPodMonitorCRD(t testing.TB, upstream *unstructured.Unstructured) *unstructured.Unstructured {
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

// OperatorCRDs reads the CRDs the Prometheus Operator's Prometheus controller needs
// before it builds a StatefulSet (v0.93.1 pkg/prometheus/server/operator.go: it waits
// for the informers of Prometheus, ServiceMonitor, PodMonitor, Probe and
// PrometheusRule objects; ScrapeConfig is optional, checked by cmd/operator/main.go
// checkPrerequisites), copied from its module zip into bin/crds/ by `make tools`.
func OperatorCRDs(t testing.TB) []*unstructured.Unstructured {
	t.Helper()
	dir := filepath.Join("crds", "prometheus-operator@"+PrometheusOperatorRelease)
	var paths []string
	for _, plural := range []string{"prometheuses", "servicemonitors", "podmonitors", "probes", "prometheusrules"} {
		paths = append(paths, ToolFile(t, filepath.Join(dir, "monitoring.coreos.com_"+plural+".yaml")))
	}
	return ReadObjects(t, paths...)
}
