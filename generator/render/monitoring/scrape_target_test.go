package monitoring_test

import (
	"path"
	"slices"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// statefulSets decodes every StatefulSet the platform rendered in the party's
// directory (nodes/<node>/node.yaml), by node.
func statefulSets(t *testing.T, out tree.Tree, n *model.Network) map[string]*appsv1.StatefulSet {
	t.Helper()
	sets := map[string]*appsv1.StatefulSet{}
	for _, node := range n.Nodes {
		for _, doc := range documents(out[path.Join("parties", node.Party, "nodes", node.Name, "node.yaml")]) {
			var head metav1.TypeMeta
			if err := yaml.Unmarshal(doc, &head); err != nil {
				t.Fatal(err)
			}
			if head.Kind != "StatefulSet" {
				continue
			}
			var sts appsv1.StatefulSet
			if err := yaml.Unmarshal(doc, &sts); err != nil {
				t.Fatal(err)
			}
			sets[node.Name] = &sts
		}
	}
	return sets
}

// The PodMonitor and the NetworkPolicy of a cluster select the pods of exactly its
// nodes, as the platform renders them, and the port the PodMonitor names is the
// node's metrics port in the platform's own StatefulSet: the two renderers agree.
func TestScrapeTargetsAreTheClusterNodes(t *testing.T) {
	besu, fabric := networks(t)
	for _, n := range []*model.Network{besu, fabric} {
		monitorAll(n, model.MonitoringPrometheusOperator)
		out := renderTree(t, n)
		sets := statefulSets(t, out, n)
		if len(sets) != len(n.Nodes) {
			t.Fatalf("%s: found %d StatefulSets for %d nodes", n.Name, len(sets), len(n.Nodes))
		}
		for _, c := range n.Clusters {
			dir := monitoringDir(c.Party, c.Name)
			if out[path.Join(dir, "podmonitor.yaml")] == nil {
				continue
			}
			var pm monitoringv1.PodMonitor
			if err := yaml.UnmarshalStrict(out[path.Join(dir, "podmonitor.yaml")], &pm); err != nil {
				t.Fatal(err)
			}
			var np networkingv1.NetworkPolicy
			if err := yaml.UnmarshalStrict(out[path.Join(dir, "networkpolicy.yaml")], &np); err != nil {
				t.Fatal(err)
			}
			if pm.Namespace != n.Parties[c.Party].Namespace || np.Namespace != pm.Namespace {
				t.Errorf("%s: PodMonitor in %q, NetworkPolicy in %q, want the party's namespace %q", dir, pm.Namespace, np.Namespace, n.Parties[c.Party].Namespace)
			}
			monitorSel, err := metav1.LabelSelectorAsSelector(&pm.Spec.Selector)
			if err != nil {
				t.Fatal(err)
			}
			policySel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
			if err != nil {
				t.Fatal(err)
			}
			if len(pm.Spec.PodMetricsEndpoints) != 1 || pm.Spec.PodMetricsEndpoints[0].Port == nil {
				t.Fatalf("%s: want one endpoint with a port name: %+v", dir, pm.Spec.PodMetricsEndpoints)
			}
			portName := *pm.Spec.PodMetricsEndpoints[0].Port
			for name, sts := range sets {
				node := n.Nodes[name]
				podLabels := labels.Set(sts.Spec.Template.Labels)
				inCluster := node.Cluster == c.Name && node.Party == c.Party
				if monitorSel.Matches(podLabels) != inCluster {
					t.Errorf("%s: PodMonitor selects %s: %v, want %v", dir, name, !inCluster, inCluster)
				}
				if policySel.Matches(podLabels) != inCluster {
					t.Errorf("%s: NetworkPolicy selects %s: %v, want %v", dir, name, !inCluster, inCluster)
				}
				if !inCluster {
					continue
				}
				found := false
				for _, ctr := range sts.Spec.Template.Spec.Containers {
					for _, p := range ctr.Ports {
						if p.Name == portName {
							found = true
							if int(p.ContainerPort) != node.Ports.Metrics {
								t.Errorf("%s: port %q is %d, the node's metrics port is %d", name, portName, p.ContainerPort, node.Ports.Metrics)
							}
						}
					}
				}
				if !found {
					t.Errorf("%s: no container port named %q for the PodMonitor", name, portName)
				}
				// The policy opens the node's metrics port, and only to the monitoring namespace.
				if len(np.Spec.Ingress) != 1 {
					t.Fatalf("%s: want one ingress rule, got %d", dir, len(np.Spec.Ingress))
				}
				rule := np.Spec.Ingress[0]
				var ports []int
				for _, p := range rule.Ports {
					ports = append(ports, p.Port.IntValue())
				}
				if !slices.Contains(ports, node.Ports.Metrics) || slices.Contains(ports, node.Ports.P2P) || slices.Contains(ports, node.Ports.RPC) {
					t.Errorf("%s: policy ports %v, want the metrics port %d only", dir, ports, node.Ports.Metrics)
				}
				if len(rule.From) != 1 || rule.From[0].PodSelector != nil || rule.From[0].NamespaceSelector == nil ||
					!labels.SelectorFromSet(rule.From[0].NamespaceSelector.MatchLabels).Matches(labels.Set{"kubernetes.io/metadata.name": "monitoring"}) ||
					labels.SelectorFromSet(rule.From[0].NamespaceSelector.MatchLabels).Matches(labels.Set{"kubernetes.io/metadata.name": "default"}) {
					t.Errorf("%s: policy admits %+v, want the namespace named monitoring only", dir, rule.From)
				}
			}
		}
	}
}
