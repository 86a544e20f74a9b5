package monitoring_test

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
)

// promqlWords are the PromQL keywords, aggregation operators and functions the rules
// may contain: everything else that looks like a name is a metric name.
var promqlWords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
	"bool": true, "and": true, "or": true, "unless": true, "offset": true,
	"sum": true, "min": true, "max": true, "avg": true, "count": true,
}

var (
	quoted     = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	matchers   = regexp.MustCompile(`\{[^}]*\}`)
	ranges     = regexp.MustCompile(`\[[^\]]*\]`)
	labelLists = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	names      = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?`)
)

// metricNames lists the metric names an expression reads: names that are not label
// values, label names, durations, keywords or function calls.
func metricNames(expr string) []string {
	expr = quoted.ReplaceAllString(expr, `""`)
	expr = matchers.ReplaceAllString(expr, " ")
	expr = ranges.ReplaceAllString(expr, " ")
	expr = labelLists.ReplaceAllString(expr, " ")
	var out []string
	for _, m := range names.FindAllStringSubmatch(expr, -1) {
		name := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(m[0]), "("))
		if m[1] != "" && !promqlWords[name] || promqlWords[name] {
			continue // a function call, or a keyword
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// The extractor itself: a test that cannot see a metric name cannot catch one the
// table lacks.
func TestMetricNamesOfAnExpression(t *testing.T) {
	for expr, want := range map[string][]string{
		`time() - max by (namespace) (besu_blockchain_chain_head_timestamp{job="a/b", namespace="a"}) > 30`: {"besu_blockchain_chain_head_timestamp"},
		`(x_a{a="or"} - y_b > 1) or (max by (namespace) (y_b) - on (namespace) group_right y_b > 1)`:        {"x_a", "y_b"},
		`increase(kube_pod_container_status_restarts_total{namespace="n"}[30m]) >= 3`:                       {"kube_pod_container_status_restarts_total"},
		`vector(time()) > 1790000000`:                                      nil,
		`changes(consensus_BFT_leader_id{ledger_role="orderer"}[15m]) > 3`: {"consensus_BFT_leader_id"},
	} {
		if got := metricNames(expr); !slices.Equal(got, want) {
			t.Errorf("metricNames(%s) = %v, want %v", expr, got, want)
		}
	}
}

// Every metric a rendered rule or a dashboard query reads is in the table of names
// read from the pinned Besu, Fabric, kube-state-metrics and Flux sources, and every
// table entry says where.
func TestRulesAndDashboardsReadOnlyTabledMetrics(t *testing.T) {
	table := map[string]monitoring.Metric{}
	for _, m := range monitoring.Metrics {
		if m.Source == "" || m.Type != "gauge" && m.Type != "counter" {
			t.Errorf("metric %s: want a source and a type, got %+v", m.Name, m)
		}
		table[m.Name] = m
	}
	besu, fabric := networks(t)
	used := map[string]bool{}
	check := func(where string, r *monitoringv1.PrometheusRule) {
		for _, g := range r.Spec.Groups {
			for _, rule := range g.Rules {
				if rule.Annotations["runbook"] == "" || rule.Annotations["summary"] == "" || rule.Labels["severity"] == "" {
					t.Errorf("%s: alert %s lacks a runbook, summary or severity", where, rule.Alert)
				}
				for _, name := range metricNames(rule.Expr.String()) {
					used[name] = true
					if _, ok := table[name]; !ok {
						t.Errorf("%s: alert %s reads %s, which is not in monitoring.Metrics", where, rule.Alert, name)
					}
				}
			}
		}
	}
	for _, n := range []*model.Network{besu, fabric} {
		monitorAll(n, model.MonitoringPrometheusOperator)
		rules := ruleFiles(t, renderTree(t, n))
		if len(rules) == 0 {
			t.Fatalf("%s: no rules rendered", n.Name)
		}
		for p, r := range rules {
			check(p, r)
		}
	}
	// The reference networks run one peer per cluster and Raft: the rules of a
	// cluster with two peers (height divergence) and of a SmartBFT network are
	// checked on the rules alone.
	party := fabric.Parties["contoso"]
	cluster := fabric.Clusters["contoso-aks-weu"]
	nodes := []model.Node{fabric.Nodes["contoso-orderer-1"], fabric.Nodes["contoso-peer-1"]}
	second := fabric.Nodes["contoso-peer-1"]
	second.Name = "contoso-peer-2"
	nodes = append(nodes, second)
	fabric.Identities[second.Name] = fabric.Identities["contoso-peer-1"]
	for _, algorithm := range []string{model.EtcdRaft, model.SmartBFT} {
		fabric.Consensus.Algorithm = algorithm
		r, err := monitoring.PrometheusRule(fabric, peering.Of(fabric), party, cluster, nodes)
		if err != nil {
			t.Fatal(err)
		}
		check("two peers, "+algorithm, r)
	}
	for name, n := range dashboardNetworks(t) {
		for key, d := range dashboardsOf(t, n) {
			for _, expr := range d.exprs(t) {
				for _, metric := range metricNames(expr) {
					used[metric] = true
					if _, ok := table[metric]; !ok {
						t.Errorf("%s dashboard %s reads %s, which is not in monitoring.Metrics", name, key, metric)
					}
				}
			}
		}
	}
	for name := range table {
		if !used[name] {
			t.Errorf("monitoring.Metrics lists %s, which no rule or dashboard reads", name)
		}
	}
}

// The metric table was read in the sources of the versions the reference networks
// run. When an image moves to another release, this fails: read the metric
// definitions of that release, then move the versions in metrics.go.
func TestMetricTableMatchesPinnedImages(t *testing.T) {
	besu, fabric := networks(t)
	for _, node := range besu.Nodes {
		if !strings.HasSuffix(node.Image, ":"+monitoring.BesuVersion) {
			t.Errorf("Besu node %s runs %s; the metric table was read in Besu %s", node.Name, node.Image, monitoring.BesuVersion)
		}
	}
	for _, node := range fabric.Nodes {
		if !strings.HasSuffix(node.Image, ":"+monitoring.FabricVersion2) {
			t.Errorf("Fabric node %s runs %s; the metric table was read in Fabric %s", node.Name, node.Image, monitoring.FabricVersion2)
		}
	}
}
