package monitoring

import (
	"fmt"
	"strings"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
)

// Severities of the alerts: critical when the ledger (or this party's part of it)
// stops serving, warning when it still serves but is degrading.
const (
	SeverityCritical = "critical"
	SeverityWarning  = "warning"
)

// Thresholds that are judgement, not derived from the topology; each says why.
const (
	// restartsInWindow restarts within restartWindow is a crash loop, not one
	// eviction or node drain (which restarts a pod once).
	restartsInWindow = 3
	restartWindow    = 30 * time.Minute
	// downFor: a target that fails every scrape for five minutes is down, not
	// rescheduling (a StatefulSet pod is back well within that after a drain).
	downFor = 5 * time.Minute
	// peersFor: peers reconnect after a restart within minutes (Besu's peer-sync
	// sidecar re-adds them; Fabric's gossip re-discovers them); ten minutes below the
	// topology is a lasting partition.
	peersFor = 10 * time.Minute
	// kustomizationFor: the cluster's Kustomizations retry every minute and give up
	// an attempt after five (render/flux: retryInterval, applyTimeout); not Ready for
	// fifteen minutes is at least two failed attempts in a row, not one rollout
	// waiting on its StatefulSets' health checks.
	kustomizationFor = 15 * time.Minute
)

// PrometheusRule is the cluster's alerting rules: the common ones (node not scraped,
// pods restarting) and the ledger's own. topology says how many peers a Besu node
// should hold.
func PrometheusRule(network *model.Network, topology *peering.Graph, party model.Party, cluster model.Cluster, nodes []model.Node) (*monitoringv1.PrometheusRule, error) {
	s := scope{namespace: party.Namespace}
	var rules []monitoringv1.Rule
	if network.IsFabric() {
		fabric, err := fabricRules(network, party, nodes, s)
		if err != nil {
			return nil, err
		}
		rules = fabric
	} else {
		rules = besuRules(network, s, len(topology.Nodes(party.Name))-1)
	}
	rules = append(rules, commonRules(s, cluster.GitOps.Namespace)...)
	return &monitoringv1.PrometheusRule{
		TypeMeta:   metav1.TypeMeta{APIVersion: apiVersion, Kind: monitoringv1.PrometheusRuleKind},
		ObjectMeta: meta(network, party, RuleName),
		Spec: monitoringv1.PrometheusRuleSpec{Groups: []monitoringv1.RuleGroup{{
			Name:  fmt.Sprintf("flux-ledger.%s.%s", party.Name, cluster.Name),
			Rules: rules,
		}}},
	}, nil
}

// scope selects the series of one cluster's nodes: the ones the PodMonitor scrapes
// (the Prometheus Operator sets job to <namespace>/<PodMonitor name> and namespace to
// the pod's; v0.93.0 pkg/prometheus/promcfg.go, generatePodMonitorConfig).
type scope struct{ namespace string }

// sel is the label matchers of the cluster's node series, plus any extra matchers.
func (s scope) sel(extra ...string) string {
	m := append([]string{fmt.Sprintf("job=%q", s.namespace+"/"+PodMonitorName), fmt.Sprintf("namespace=%q", s.namespace)}, extra...)
	return "{" + strings.Join(m, ", ") + "}"
}

// alert builds one alerting rule. Every alert carries a runbook line: what to look
// at first, in this repository's terms.
func alert(name, expr string, after time.Duration, severity, summary, runbook string) monitoringv1.Rule {
	r := monitoringv1.Rule{
		Alert:       name,
		Expr:        intstr.FromString(expr),
		Labels:      map[string]string{"severity": severity},
		Annotations: map[string]string{"summary": summary, "runbook": runbook},
	}
	if after > 0 {
		d := monitoringv1.Duration(promDuration(after))
		r.For = &d
	}
	return r
}

// promDuration writes d in Prometheus' duration syntax in its largest whole unit
// ("90s", "5m", "1h"): Go's "5m0s" is valid too, but not what a reader expects.
func promDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", (d+time.Second-1)/time.Second)
}

// commonRules hold for every ledger: a node Prometheus cannot scrape tells nothing
// about its health (and the ledger rules see no series for it), a crash-looping
// pod is down most of the time while its StatefulSet says it exists, and a
// Kustomization that is not Ready means the cluster no longer runs what the
// repository says (a topology change did not land).
//
// The Kustomization alert reads gotk_resource_info, which Flux's controllers do not
// export themselves: kube-state-metrics makes it from the Kustomization objects with
// the custom resource state configuration of Flux's monitoring guide
// (fluxcd/flux2-monitoring-example: monitoring/controllers/kube-prometheus-stack/
// kube-state-metrics-config.yaml: metricNamePrefix gotk, metric resource_info, labels
// exported_namespace, ready from status.conditions[type=Ready].status, suspended from
// spec.suspend); kube-state-metrics adds customresource_kind
// (docs/metrics/extend/customresourcestate-metrics.md). The cluster's Kustomizations
// all live in its GitOps namespace (render/flux), so that namespace scopes the alert.
func commonRules(s scope, gitopsNamespace string) []monitoringv1.Rule {
	return []monitoringv1.Rule{
		alert("LedgerNodeDown",
			fmt.Sprintf("up%s == 0", s.sel()),
			downFor, SeverityCritical,
			"{{ $labels.ledger_node }} has not answered a metrics scrape for "+promDuration(downFor),
			"kubectl -n "+s.namespace+" describe pod {{ $labels.pod }}; if it runs, check the NetworkPolicy "+NetworkPolicyName+" admits the monitoring namespace"),
		alert("LedgerPodRestarting",
			fmt.Sprintf("increase(kube_pod_container_status_restarts_total{namespace=%q}[%s]) >= %d", s.namespace, promDuration(restartWindow), restartsInWindow),
			0, SeverityWarning,
			"{{ $labels.pod }} ({{ $labels.container }}) restarted at least "+fmt.Sprint(restartsInWindow)+" times in "+promDuration(restartWindow),
			"kubectl -n "+s.namespace+" logs {{ $labels.pod }} -c {{ $labels.container }} --previous"),
		alert("LedgerKustomizationNotReady",
			fmt.Sprintf(`gotk_resource_info{customresource_kind="Kustomization", exported_namespace=%q, ready="False", suspended!="true"} == 1`, gitopsNamespace),
			kustomizationFor, SeverityCritical,
			"Kustomization {{ $labels.name }} in "+gitopsNamespace+" has not been Ready for "+promDuration(kustomizationFor)+": the cluster does not run what the repository says",
			"flux -n "+gitopsNamespace+" get kustomizations; kubectl -n "+gitopsNamespace+" describe kustomization {{ $labels.name }} names the failing object or health check; flux-ledger status shows the revision each cluster applied"),
	}
}
