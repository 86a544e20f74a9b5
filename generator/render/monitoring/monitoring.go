// Package monitoring renders what a cluster with monitoring mode "prometheusOperator"
// adds to its party's directory, for the nodes that cluster runs: a Prometheus
// Operator PodMonitor scraping the nodes' metrics ports (Besu's metrics server,
// Fabric's operations service), a NetworkPolicy admitting the cluster's monitoring
// namespace to those ports, a PrometheusRule whose alerts say when the ledger
// is unhealthy (rules_besu.go, rules_fabric.go, certs.go), and the platform's Grafana
// dashboards as ConfigMaps for Grafana's sidecar (dashboards*.go). With mode
// "azureMonitor" the PodMonitor is the Azure Monitor addon's own kind, the
// NetworkPolicy admits the addon's collectors, and the rules become Azure rule groups
// that render/flux writes beside the cluster's Arc files (azuremonitor.go). A share
// adds a Prometheus forwarding listed series to a consortium endpoint (share.go). It
// owns parties/<party>/monitoring/<cluster>/ and nothing else, so a cluster without
// monitoring renders exactly what it rendered before monitoring existed.
//
// It plugs in after the platform's party renderer (render.Render): the platform
// stays ignorant of monitoring, and monitoring only adds its directory to the
// resources of the cluster's kustomization.
package monitoring

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/partydir"
)

// Dir is the directory, in a party's directory, that holds one subdirectory per
// monitored cluster.
const Dir = "monitoring"

// Object names, in the party's namespace.
const (
	PodMonitorName     = "ledger-nodes"
	RuleName           = "ledger-health"
	NetworkPolicyName  = "ledger-metrics-scrape"
	podMonitorFile     = "podmonitor.yaml"
	ruleFile           = "prometheusrule.yaml"
	networkPolicyFile  = "networkpolicy.yaml"
	kustomizationFile  = "kustomization.yaml"
	labelRole          = "ledger.flux-ledger.dev/role"
	apiVersion         = "monitoring.coreos.com/v1"
	kubeNamespaceLabel = "kubernetes.io/metadata.name"
)

// Target labels the PodMonitor copies from the node's pod onto every series, so
// that an alert names the ledger node and its role (validator, member, rpc, orderer,
// peer) rather than only a pod.
const (
	LabelNode = "ledger_node"
	LabelRole = "ledger_role"
)

// ScrapeInterval is how often each node is scraped. The rules' thresholds allow for
// one interval of staleness: a value read by a rule is up to this old.
const ScrapeInterval = 15 * time.Second

// Rules are the API resources the party's reconciler needs for a cluster's
// monitoring (render/flux adds them to its Role).
func Rules(m model.Monitoring) []rbacv1.PolicyRule {
	switch m.Mode {
	case model.MonitoringPrometheusOperator:
		rules := []rbacv1.PolicyRule{{APIGroups: []string{"monitoring.coreos.com"}, Resources: []string{"podmonitors", "prometheusrules"}}}
		if m.Share != nil {
			rules = append(rules, ShareRules...)
		}
		return rules
	case model.MonitoringAzureMonitor:
		// The rules live in Azure (RuleGroups), not in the cluster.
		return []rbacv1.PolicyRule{{APIGroups: []string{"azmonitoring.coreos.com"}, Resources: []string{"podmonitors"}}}
	}
	return nil
}

// Party adds the monitoring of each of the party's clusters to its rendered directory:
// monitoring/<cluster>/ and that directory in clusters/<cluster>/kustomization.yaml.
// nodes are the party's nodes; a cluster with mode none is left untouched.
func Party(network *model.Network, topology *peering.Graph, party model.Party, nodes []model.Node, files partydir.Files) error {
	byCluster := map[string][]model.Node{}
	for _, n := range nodes {
		byCluster[n.Cluster] = append(byCluster[n.Cluster], n)
	}
	for _, cluster := range network.ClustersOf(party.Name) {
		switch cluster.Monitoring.Mode {
		case "", model.MonitoringNone:
			continue
		case model.MonitoringPrometheusOperator:
		case model.MonitoringAzureMonitor:
			if err := AzureTarget(cluster); err != nil {
				return err
			}
		default:
			return fmt.Errorf("cluster %s: clusters.%s.monitoring.mode %q is not a monitoring mode", cluster.Name, cluster.Name, cluster.Monitoring.Mode)
		}
		if cluster.Monitoring.Share != nil && cluster.Monitoring.Mode != model.MonitoringPrometheusOperator {
			// The addon writes to its workspace only (checks.shareNeedsPrometheusOperator).
			return fmt.Errorf("cluster %s: clusters.%s.monitoring.share needs mode %q", cluster.Name, cluster.Name, model.MonitoringPrometheusOperator)
		}
		clusterNodes := byCluster[cluster.Name]
		if len(clusterNodes) == 0 {
			continue
		}
		if err := addCluster(network, topology, party, cluster, clusterNodes, files); err != nil {
			return fmt.Errorf("cluster %s: %w", cluster.Name, err)
		}
	}
	return nil
}

// addCluster writes monitoring/<cluster>/ and lists it in the cluster's kustomization.
func addCluster(network *model.Network, topology *peering.Graph, party model.Party, cluster model.Cluster, nodes []model.Node, files partydir.Files) error {
	slices.SortFunc(nodes, func(a, b model.Node) int { return strings.Compare(a.Name, b.Name) })
	rule, err := PrometheusRule(network, topology, party, cluster, nodes)
	if err != nil {
		return err
	}
	dashboards, err := DashboardConfigMaps(network, party)
	if err != nil {
		return err
	}
	dir := path.Join(Dir, cluster.Name)
	objects := map[string]any{
		podMonitorFile:    PodMonitor(network, party, nodes),
		networkPolicyFile: NetworkPolicy(network, party, cluster, nodes),
		ruleFile:          rule,
	}
	if share := cluster.Monitoring.Share; share != nil {
		for file, obj := range shareObjects(network, party, share) {
			objects[file] = obj
		}
	}
	if cluster.Monitoring.Mode == model.MonitoringAzureMonitor {
		// The rules become Azure rule groups beside the cluster's Arc files
		// (render/flux, RuleGroups).
		objects = map[string]any{
			podMonitorFile:    azurePodMonitor(network, party, nodes),
			networkPolicyFile: azureNetworkPolicy(network, party, cluster, nodes),
		}
	}
	for file, cm := range dashboards {
		objects[file] = cm
	}
	if err := files.AddDir(dir, objects); err != nil {
		return err
	}
	return includeIn(files, path.Join("clusters", cluster.Name), path.Join("..", "..", dir))
}

// includeIn adds a resource to the kustomization the platform renderer wrote for dir.
func includeIn(files partydir.Files, dir, resource string) error {
	name := path.Join(dir, kustomizationFile)
	data, ok := files[name]
	if !ok {
		return fmt.Errorf("the platform wrote no %s to add %s to", name, resource)
	}
	var k types.Kustomization
	if err := yaml.Unmarshal(data, &k); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if !slices.Contains(k.Resources, resource) {
		k.Resources = append(k.Resources, resource)
	}
	return files.AddKustomization(dir, &k)
}

// meta names an object of the party's namespace, labelled like the party's others.
func meta(network *model.Network, party model.Party, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: party.Namespace, Labels: model.Labels(network, party.Name, "")}
}

// nodeSelector selects the pods of exactly these nodes: not the party's Jobs or
// chaincode servers, and not the nodes its other clusters run.
func nodeSelector(network *model.Network, party model.Party, nodes []model.Node) metav1.LabelSelector {
	names := make([]string, 0, len(nodes))
	for _, n := range nodes {
		names = append(names, n.Name)
	}
	return metav1.LabelSelector{
		MatchLabels:      map[string]string{model.LabelNetwork: network.Name, model.LabelParty: party.Name},
		MatchExpressions: []metav1.LabelSelectorRequirement{{Key: model.LabelNode, Operator: metav1.LabelSelectorOpIn, Values: names}},
	}
}

// metricsPort is the name of the container port a node serves metrics on: Besu's
// metrics server (render/besu's "metrics") or Fabric's operations service (render/
// fabric's PortOperations), both plain HTTP on /metrics (Besu 24.12.2:
// MetricsHttpService serves client_java's HTTPServer, whose handler answers
// /metrics; Fabric v2.5.16: core/operations/system.go registers /metrics, and
// operations TLS is off in the rendered configuration as in sampleconfig).
func metricsPort(network *model.Network) string {
	if network.IsFabric() {
		return "operations"
	}
	return "metrics"
}

// PodMonitor scrapes every node of the cluster on its metrics port. A PodMonitor,
// not a ServiceMonitor: both ledgers' Services front other ports too (and Besu's is
// headless, publishing pods that are not ready), while the pod is what an alert is
// about; the pod's own labels become the series' ledger_node and ledger_role.
// Prometheus exposes a pod label as __meta_kubernetes_pod_label_<name> with every
// character outside [a-zA-Z0-9_] replaced by "_" (prometheus v0.316.0:
// discovery/kubernetes/kubernetes.go, strutil.SanitizeLabelName).
func PodMonitor(network *model.Network, party model.Party, nodes []model.Node) *monitoringv1.PodMonitor {
	port := metricsPort(network)
	scheme := monitoringv1.SchemeHTTP
	relabel := func(podLabel, target string) monitoringv1.RelabelConfig {
		return monitoringv1.RelabelConfig{
			Action:       "replace",
			SourceLabels: []monitoringv1.LabelName{monitoringv1.LabelName("__meta_kubernetes_pod_label_" + sanitize(podLabel))},
			TargetLabel:  target,
		}
	}
	return &monitoringv1.PodMonitor{
		TypeMeta:   metav1.TypeMeta{APIVersion: apiVersion, Kind: monitoringv1.PodMonitorsKind},
		ObjectMeta: meta(network, party, PodMonitorName),
		Spec: monitoringv1.PodMonitorSpec{
			Selector: nodeSelector(network, party, nodes),
			PodMetricsEndpoints: []monitoringv1.PodMetricsEndpoint{{
				Port:     &port,
				Path:     "/metrics",
				Scheme:   &scheme,
				Interval: monitoringv1.Duration(ScrapeInterval.String()),
				RelabelConfigs: []monitoringv1.RelabelConfig{
					relabel(model.LabelNode, LabelNode),
					relabel(labelRole, LabelRole),
				},
			}},
		},
	}
}

// sanitize is Prometheus' SanitizeLabelName: every character outside [a-zA-Z0-9_]
// becomes "_".
func sanitize(name string) string {
	out := []byte(name)
	for i, c := range out {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			out[i] = '_'
		}
	}
	return string(out)
}

// NetworkPolicy admits the cluster's monitoring namespace, by the name label every
// namespace carries (kubernetes.io/metadata.name, set by the API server), to the
// nodes' metrics ports. The party's default-deny policy keeps every other source
// out unless a namespace is labelled for scraping on purpose (the nodes' own
// policies admit ledger.flux-ledger.dev/scrape=true).
func NetworkPolicy(network *model.Network, party model.Party, cluster model.Cluster, nodes []model.Node) *networkingv1.NetworkPolicy {
	tcp := corev1.ProtocolTCP
	var ports []networkingv1.NetworkPolicyPort
	seen := map[int]bool{}
	metrics := make([]int, 0, len(nodes))
	for _, n := range nodes {
		if !seen[n.Ports.Metrics] {
			seen[n.Ports.Metrics] = true
			metrics = append(metrics, n.Ports.Metrics)
		}
	}
	slices.Sort(metrics)
	for _, p := range metrics {
		v := intstr.FromInt(p)
		ports = append(ports, networkingv1.NetworkPolicyPort{Port: &v, Protocol: &tcp})
	}
	from := []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{
		MatchLabels: map[string]string{kubeNamespaceLabel: cluster.Monitoring.Namespace},
	}}}
	if cluster.Monitoring.Share != nil {
		from = append(from, sharePeer())
	}
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: meta(network, party, NetworkPolicyName),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: nodeSelector(network, party, nodes),
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				Ports: ports,
				From:  from,
			}},
		},
	}
}
