//go:build e2e

package e2e

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
	"github.com/flux-ledger/flux-ledger/generator/render/policies"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

var (
	podMonitors      = schema.GroupVersionResource{Group: "monitoring.coreos.com", Version: "v1", Resource: "podmonitors"}
	addonPodMonitors = schema.GroupVersionResource{Group: "azmonitoring.coreos.com", Version: "v1", Resource: "podmonitors"}
	prometheusRules  = schema.GroupVersionResource{Group: "monitoring.coreos.com", Version: "v1", Resource: "prometheusrules"}
	networkPolicies  = schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"}
)

// metricsPolicyName is the NetworkPolicy admitting the scraper to the nodes' metrics
// ports (docs/monitoring.md); the nodes' other policies have other names.
const metricsPolicyName = "ledger-metrics-scrape"

// monitoringWant is what docs/monitoring.md says a cluster of each mode holds in its
// party's namespace: the PodMonitor of its mode's group, the PrometheusRule only with
// the Prometheus Operator (Azure's rules live in the workspace), the metrics
// NetworkPolicy admitting its scraper, and three dashboard ConfigMaps.
type monitoringWant struct {
	podMonitors, addonPodMonitors, rules, policies, dashboards int
	// scraper is the one peer the metrics NetworkPolicy admits, as
	// "namespace-label=value" and, for the addon, "pod-label=value".
	scraper []string
}

var monitoringByParty = map[string]monitoringWant{
	// azureMonitor: the addon's collectors, pods rsName=ama-metrics in kube-system.
	"alpha": {addonPodMonitors: 1, policies: 1, dashboards: 3, scraper: []string{"kubernetes.io/metadata.name=kube-system", "rsName=ama-metrics"}},
	// prometheusOperator with the default monitoring namespace.
	"beta": {podMonitors: 1, rules: 1, policies: 1, dashboards: 3, scraper: []string{"kubernetes.io/metadata.name=monitoring"}},
	// none: nothing at all.
	"gamma": {},
}

// monitoringObjects lists every monitoring object of the cluster, in any namespace,
// by resource: PodMonitors of both groups, PrometheusRules, the metrics
// NetworkPolicy and the dashboard ConfigMaps (grafana_dashboard=1).
func monitoringObjects(t *testing.T, cl *cluster) map[string][]unstructured.Unstructured {
	t.Helper()
	ctx := context.Background()
	out := map[string][]unstructured.Unstructured{}
	for name, res := range map[string]schema.GroupVersionResource{"podMonitors": podMonitors, "addonPodMonitors": addonPodMonitors, "rules": prometheusRules} {
		list, err := cl.kube.Dynamic.Resource(res).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatalf("%s: list %s.%s: %v", cl.name, res.Resource, res.Group, err)
		}
		out[name] = list.Items
	}
	list, err := cl.kube.Dynamic.Resource(networkPolicies).List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + metricsPolicyName})
	if err != nil {
		t.Fatalf("%s: list NetworkPolicies: %v", cl.name, err)
	}
	out["policies"] = list.Items
	if list, err = cl.kube.Dynamic.Resource(configMaps).List(ctx, metav1.ListOptions{LabelSelector: "grafana_dashboard=1"}); err != nil {
		t.Fatalf("%s: list dashboard ConfigMaps: %v", cl.name, err)
	}
	out["dashboards"] = list.Items
	return out
}

// proveMonitoring checks, once every cluster applied the network, that each party's
// kustomize-controller applied the monitoring objects of its cluster's mode — through
// the real Prometheus Operator CRDs, and Azure Monitor's PodMonitor CRD, which every
// cluster serves — into the party's namespace as part of its ledger Kustomization, and
// that a cluster without monitoring holds none.
func proveMonitoring(t *testing.T, c *consortium) {
	network := c.network(t)
	for _, p := range parties {
		cl, want, ns := c.clusters[p], monitoringByParty[p], network.Parties[p].Namespace
		got := monitoringObjects(t, cl)
		for kind, n := range map[string]int{"podMonitors": want.podMonitors, "addonPodMonitors": want.addonPodMonitors, "rules": want.rules, "policies": want.policies, "dashboards": want.dashboards} {
			if len(got[kind]) != n {
				t.Errorf("%s: %d %s, want %d", cl.name, len(got[kind]), kind, n)
			}
			for _, o := range got[kind] {
				labels := o.GetLabels()
				if o.GetNamespace() != ns || labels["kustomize.toolkit.fluxcd.io/name"] != flux.LedgerKustomization || labels[model.LabelParty] != p {
					t.Errorf("%s: %s %s/%s with labels %v, want it in %s applied by Kustomization %s for party %s",
						cl.name, o.GetKind(), o.GetNamespace(), o.GetName(), labels, ns, flux.LedgerKustomization, p)
				}
			}
		}
		t.Logf("%s (%s): %d PodMonitors, %d addon PodMonitors, %d PrometheusRules, %d metrics NetworkPolicies, %d dashboards", cl.name, p,
			len(got["podMonitors"]), len(got["addonPodMonitors"]), len(got["rules"]), len(got["policies"]), len(got["dashboards"]))
		if len(got["policies"]) == 1 {
			if peers := admittedPeers(got["policies"][0]); !slices.Equal(peers, want.scraper) {
				t.Errorf("%s: the metrics NetworkPolicy admits %v, want %v", cl.name, peers, want.scraper)
			}
		}
	}
}

// admittedPeers lists the label selectors of the NetworkPolicy's ingress peers as
// key=value, namespace selector first.
func admittedPeers(policy unstructured.Unstructured) []string {
	var out []string
	ingress, _, _ := unstructured.NestedSlice(policy.Object, "spec", "ingress")
	for _, rule := range ingress {
		from, _, _ := unstructured.NestedSlice(rule.(map[string]any), "from")
		for _, peer := range from {
			for _, sel := range []string{"namespaceSelector", "podSelector"} {
				labels, _, _ := unstructured.NestedStringMap(peer.(map[string]any), sel, "matchLabels")
				for _, k := range slices.Sorted(maps.Keys(labels)) {
					out = append(out, k+"="+labels[k])
				}
			}
		}
	}
	return out
}

var kyvernoSummary = regexp.MustCompile(`pass: (\d+), fail: (\d+), warn: (\d+), error: (\d+), skip: (\d+)`)

// proveMonitoringPolicies runs the real Kyverno CLI with each monitored party's own
// policies (policies/parties/<party>/, the ClusterPolicies its cluster serves) over
// the monitoring objects as the cluster stores them. Kyverno's admission does not run
// in the e2e (kyverno_test.go plays only its readiness), so this is the check those
// objects would meet on a real cluster; the server's own fields are dropped first, as
// admission sees an object before it has them.
func proveMonitoringPolicies(t *testing.T, c *consortium) {
	kyverno := testenv.Tool(t, "kyverno")
	for _, p := range parties {
		var objects []byte
		for _, list := range monitoringObjects(t, c.clusters[p]) {
			for _, o := range list {
				o := o.DeepCopy()
				for _, f := range []string{"managedFields", "resourceVersion", "uid", "creationTimestamp", "generation"} {
					unstructured.RemoveNestedField(o.Object, "metadata", f)
				}
				unstructured.RemoveNestedField(o.Object, "status")
				data, err := yaml.Marshal(o.Object)
				if err != nil {
					t.Fatal(err)
				}
				objects = append(append(objects, "---\n"...), data...)
			}
		}
		if len(objects) == 0 {
			continue // gamma: nothing to check, which proveMonitoring asserts
		}
		tmp := t.TempDir()
		resources := filepath.Join(tmp, "monitoring.yaml")
		if err := os.WriteFile(resources, objects, 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"apply"}
		dir := filepath.Join(c.repo.dir, filepath.FromSlash(policies.PartyDir(p)))
		files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		for _, f := range files {
			if filepath.Base(f) != "kustomization.yaml" {
				args = append(args, f)
			}
		}
		if len(args) < 2 {
			t.Fatalf("no policies in %s", dir)
		}
		cmd := exec.Command(kyverno, append(args, "--resource", resources)...)
		cmd.Env = append(os.Environ(), "NO_COLOR=1", "KYVERNO_EXPERIMENTAL=false")
		out, err := cmd.CombinedOutput()
		m := kyvernoSummary.FindStringSubmatch(string(out))
		if err != nil || m == nil {
			t.Fatalf("%s: kyverno apply: %v\n%s", p, err, out)
		}
		t.Logf("%s: kyverno apply over the cluster's monitoring objects: %s", p, m[0])
		if m[1] == "0" || m[2] != "0" || m[4] != "0" {
			t.Errorf("%s: pass %s, fail %s, error %s\n%s", p, m[1], m[2], m[4], strings.TrimSpace(string(out)))
		}
	}
}
