package monitoring

import (
	"fmt"
	"slices"
	"strings"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
)

// Facts about Azure Monitor managed service for Prometheus (its AKS addon and its Arc
// extension install the same chart), from github.com/Azure/prometheus-collector at
// 39583fd (2026-07-21), otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/:
//
//   - templates/ama-metrics-podmonitor-crd.yaml: the chart installs the PodMonitor CRD
//     under its own group, azmonitoring.coreos.com, version v1 (the Prometheus
//     Operator's schema, group renamed); it does so on Arc too unless the extension
//     is set otherwise (templates/_arc-extension-helpers.tpl: operatorEnabled is
//     false on Arc only when ArcEnableOperator or TargetAllocatorEnabled is not
//     true; values-template.yaml sets both true).
//   - otel-allocator/internal/watcher/promOperator.go: the addon's target allocator
//     turns those PodMonitors into scrape configurations with the Prometheus
//     Operator's own ConfigGenerator, so a series keeps job="<namespace>/<name>"
//     and the rules read it as with prometheusOperator.
//   - templates/ama-metrics-deployment.yaml: the collectors that scrape what the
//     target allocator hands out are the Deployment ama-metrics in kube-system, pods
//     labelled rsName=ama-metrics, on the pod network (no hostNetwork).
//   - otelcollector/customresources/pod-monitor-template.yaml: a PodMonitor should set
//     labelLimit 63, labelNameLengthLimit 511, labelValueLengthLimit 1023, "so that
//     the metrics don't get dropped" by the ingestion pipeline.
//
// Microsoft's documentation says the same of the group ("the only change required to
// the existing OSS CRs ... is the API group - azmonitoring.coreos.com/v1";
// MicrosoftDocs/azure-docs, articles/azure-monitor/containers/prometheus-metrics-scrape-crd.md).
// The PodMonitor is preferred to the addon's custom scrape ConfigMap
// (ama-metrics-prometheus-config): that ConfigMap lives in kube-system, one per
// cluster, which a party's reconciler may not write and two parties would overwrite.
const (
	AzureAPIVersion      = "azmonitoring.coreos.com/v1"
	AddonNamespace       = "kube-system"
	addonPodLabel        = "rsName"
	addonPodValue        = "ama-metrics"
	azureLabelLimit      = 63
	azureLabelNameLimit  = 511
	azureLabelValueLimit = 1023
	// AddonScheme is how the addon's CRD spells plain HTTP.
	AddonScheme monitoringv1.Scheme = "http"
)

// azureUnavailable are the alerts an Azure Monitor workspace cannot evaluate:
// gotk_resource_info is made by a kube-state-metrics given Flux's custom resource
// state configuration, and the addon's kube-state-metrics has none (prometheus-
// collector otelcollector/configmapparser/default-prom-configs/kubestateDefault.yml
// scrapes its own kube-state-metrics, whose keep list,
// otelcollector/shared/configmap/mp/tomlparser-default-targets-metrics-keep-list.go,
// has kube_pod_container_status_restarts_total but no gotk_ series).
var azureUnavailable = []string{"LedgerKustomizationNotReady"}

// azurePodMonitor is the prometheusOperator PodMonitor under the addon's group, with
// the label limits the addon's template asks for.
func azurePodMonitor(network *model.Network, party model.Party, nodes []model.Node) *monitoringv1.PodMonitor {
	pm := PodMonitor(network, party, nodes)
	pm.APIVersion = AzureAPIVersion
	// The addon's CRD (templates/ama-metrics-podmonitor-crd.yaml) was generated from
	// an older Prometheus Operator: its scheme enum is http and https only, where
	// v0.93's SchemeHTTP is "HTTP".
	scheme := AddonScheme
	for i := range pm.Spec.PodMetricsEndpoints {
		pm.Spec.PodMetricsEndpoints[i].Scheme = &scheme
	}
	limit, name, value := int64(azureLabelLimit), int64(azureLabelNameLimit), int64(azureLabelValueLimit)
	pm.Spec.LabelLimit, pm.Spec.LabelNameLengthLimit, pm.Spec.LabelValueLengthLimit = &limit, &name, &value
	return pm
}

// azureNetworkPolicy admits the addon's collectors, and no other pod of kube-system,
// to the nodes' metrics ports.
func azureNetworkPolicy(network *model.Network, party model.Party, cluster model.Cluster, nodes []model.Node) *networkingv1.NetworkPolicy {
	np := NetworkPolicy(network, party, cluster, nodes)
	np.Spec.Ingress[0].From = []networkingv1.NetworkPolicyPeer{{
		NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{kubeNamespaceLabel: AddonNamespace}},
		PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{addonPodLabel: addonPodValue}},
	}}
	return np
}

// The ARM resource Azure Monitor evaluates Prometheus rules in, and its limits, from
// github.com/Azure/prometheus-collector tools/az-prom-rules-converter (the converter
// Microsoft ships for PrometheusRule files): dist/steps/to-azure/to-azure-prom-rule-group.js
// writes type Microsoft.AlertsManagement/prometheusRuleGroups at apiVersion 2023-03-01;
// dist/schemas/azure/azure-prometheus-rule-group.json allows 1 to 20 rules a group,
// one scope (the workspace), an interval of 1 to 15 minutes and durations in ISO 8601,
// annotation values of at most 1024 characters, alert severities 0 (severest) to 4.
const (
	RuleGroupType       = "Microsoft.AlertsManagement/prometheusRuleGroups"
	RuleGroupAPIVersion = "2023-03-01"
	ruleGroupMaxRules   = 20
	ruleGroupInterval   = time.Minute
	annotationMaxLength = 1024
)

// azureSeverity maps an alert's severity label to Azure's: Sev0 is Critical and Sev2
// Warning (Azure SDK KnownAlertSeverity: Sev0 Critical, Sev1 Error, Sev2 Warning,
// Sev3 Informational, Sev4 Verbose).
var azureSeverity = map[string]int{SeverityCritical: 0, SeverityWarning: 2}

// RuleGroup is one Microsoft.AlertsManagement/prometheusRuleGroups resource: its name
// and its properties as ARM takes them.
type RuleGroup struct {
	Name       string
	Properties map[string]any
}

// RuleGroups are the cluster's alerting rules as Azure Monitor rule groups, evaluated
// in workspace against the cluster's series (clusterName scopes them to the series
// the cluster's addon sent), at most twenty rules each. They are the rules of the
// cluster's PrometheusRule, less those the workspace has no series for.
func RuleGroups(network *model.Network, topology *peering.Graph, party model.Party, cluster model.Cluster, nodes []model.Node, clusterName string) ([]RuleGroup, error) {
	nodes = slices.Clone(nodes)
	slices.SortFunc(nodes, func(a, b model.Node) int { return strings.Compare(a.Name, b.Name) })
	rule, err := PrometheusRule(network, topology, party, cluster, nodes)
	if err != nil {
		return nil, err
	}
	var rules []any
	for _, group := range rule.Spec.Groups {
		for _, r := range group.Rules {
			if slices.Contains(azureUnavailable, r.Alert) {
				continue
			}
			ar, err := azureRule(r)
			if err != nil {
				return nil, fmt.Errorf("alert %s: %w", r.Alert, err)
			}
			rules = append(rules, ar)
		}
	}
	var groups []RuleGroup
	for i := 0; i < len(rules); i += ruleGroupMaxRules {
		chunk := rules[i:min(i+ruleGroupMaxRules, len(rules))]
		name := fmt.Sprintf("flux-ledger-%s-%s-%d", party.Name, cluster.Name, len(groups)+1)
		groups = append(groups, RuleGroup{Name: name, Properties: map[string]any{
			"description": fmt.Sprintf("Ledger health of party %s on cluster %s, generated by flux-ledger (%d of %d)", party.Name, cluster.Name, len(groups)+1, (len(rules)+ruleGroupMaxRules-1)/ruleGroupMaxRules),
			"clusterName": clusterName,
			"enabled":     true,
			"interval":    isoDuration(ruleGroupInterval),
			"rules":       chunk,
		}})
	}
	return groups, nil
}

// azureRule is one alerting rule as the rule group's rules[] takes it.
func azureRule(r monitoringv1.Rule) (map[string]any, error) {
	sev, ok := azureSeverity[r.Labels["severity"]]
	if !ok {
		return nil, fmt.Errorf("severity %q has no Azure severity", r.Labels["severity"])
	}
	labels := map[string]any{}
	for k, v := range r.Labels {
		labels[k] = v
	}
	annotations := map[string]any{}
	for k, v := range r.Annotations {
		if len(v) > annotationMaxLength {
			return nil, fmt.Errorf("annotation %s is %d characters, Azure takes %d", k, len(v), annotationMaxLength)
		}
		annotations[k] = v
	}
	out := map[string]any{
		"alert":       r.Alert,
		"expression":  r.Expr.String(),
		"enabled":     true,
		"severity":    sev,
		"labels":      labels,
		"annotations": annotations,
		// Azure resolves an alert itself once its expression stops holding, as
		// Prometheus does (the converter's dist/steps/to-azure/to-azure-prom-alerting-rule.js
		// sets the same, and interval PT1M in to-azure-prom-rule-group-properties.js).
		"resolveConfiguration": map[string]any{"autoResolved": true, "timeToResolve": isoDuration(10 * time.Minute)},
	}
	if r.For != nil {
		d, err := time.ParseDuration(string(*r.For))
		if err != nil {
			return nil, err
		}
		out["for"] = isoDuration(d)
	}
	return out, nil
}

// isoDuration writes a whole number of seconds as an ISO 8601 duration ("PT5M",
// "PT1H30M", "PT90S" is written "PT1M30S").
func isoDuration(d time.Duration) string {
	var b strings.Builder
	b.WriteString("PT")
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	if h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if s > 0 || h == 0 && m == 0 {
		fmt.Fprintf(&b, "%dS", s)
	}
	return b.String()
}

// AzureTarget says why a cluster cannot use azureMonitor, or nil: the addon is
// installed, and the rule groups created, through the cluster's Azure resource, which
// only gitops mode arc names; and the series go to a workspace. The schema checks both
// (checks.azureMonitorOnArc, monitoring.workspace); this keeps a network built in Go
// from rendering a cluster nothing would scrape.
func AzureTarget(cluster model.Cluster) error {
	if cluster.GitOps.Mode != model.ModeArc || cluster.GitOps.Arc == nil {
		return fmt.Errorf("cluster %s: clusters.%s.monitoring.mode %q needs gitops.mode %q (an AKS or Arc-connected cluster named in Azure)", cluster.Name, cluster.Name, model.MonitoringAzureMonitor, model.ModeArc)
	}
	if cluster.Monitoring.Workspace == "" {
		return fmt.Errorf("cluster %s: clusters.%s.monitoring.workspace is required with mode %q", cluster.Name, cluster.Name, model.MonitoringAzureMonitor)
	}
	return nil
}
