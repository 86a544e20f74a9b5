package monitoring_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// dashboardJSON is the part of a dashboard's JSON the tests read, decoded from the
// bytes Grafana would load (not from the Go structs that wrote them).
type dashboardJSON struct {
	UID        string `json:"uid"`
	Templating struct {
		List []struct {
			Name       string          `json:"name"`
			Type       string          `json:"type"`
			Query      string          `json:"query"`
			Datasource json.RawMessage `json:"datasource"`
		} `json:"list"`
	} `json:"templating"`
	Panels []struct {
		ID         int             `json:"id"`
		Type       string          `json:"type"`
		Title      string          `json:"title"`
		Datasource json.RawMessage `json:"datasource"`
		GridPos    struct{ H, W, X, Y int }
		Targets    []struct {
			Expr       string          `json:"expr"`
			Datasource json.RawMessage `json:"datasource"`
		} `json:"targets"`
	} `json:"panels"`
}

// labelValues is the Prometheus data source's variable query label_values(<selector>,
// <label>) (Grafana's syntax, not PromQL): its selector is the PromQL.
var labelValues = regexp.MustCompile(`^label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$`)

// exprs is every PromQL expression of the dashboard: its panels' queries and the
// selectors of its query variables.
func (d dashboardJSON) exprs(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		m := labelValues.FindStringSubmatch(v.Query)
		if m == nil {
			t.Errorf("%s: variable %s: query %q is not label_values(selector, label)", d.UID, v.Name, v.Query)
			continue
		}
		out = append(out, m[1])
	}
	for _, p := range d.Panels {
		for _, target := range p.Targets {
			out = append(out, target.Expr)
		}
	}
	return out
}

// dashboardsOf decodes the dashboards of every ConfigMap, by the data key.
func dashboardsOf(t *testing.T, n *model.Network) map[string]dashboardJSON {
	t.Helper()
	maps, err := monitoring.DashboardConfigMaps(n, n.Parties["contoso"])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]dashboardJSON{}
	for _, cm := range maps {
		for key, data := range cm.Data {
			var d dashboardJSON
			if err := json.Unmarshal([]byte(data), &d); err != nil {
				t.Fatalf("%s %s: %v", cm.Name, key, err)
			}
			out[key] = d
		}
	}
	return out
}

// dashboardNetworks are the networks whose dashboards differ: Besu, and Fabric with
// each ordering algorithm.
func dashboardNetworks(t *testing.T) map[string]*model.Network {
	besu, raft := networks(t)
	_, bft := networks(t)
	bft.Consensus.Algorithm = model.SmartBFT
	return map[string]*model.Network{"besu": besu, "fabric-raft": raft, "fabric-smartbft": bft}
}

// Grafana substitutes the variables before the query reaches Prometheus; these are
// values of the form it substitutes ($__rate_interval is a duration, a multi-value
// variable becomes (a|b)).
var sampleValues = map[string]string{
	"$__rate_interval": "1m",
	"$namespace":       "(tradenet-contoso|tradenet-fabrikam)",
	"$node":            "contoso-validator-1",
	"$channel":         ".*",
}

var variableRef = regexp.MustCompile(`\$[a-zA-Z_]+`)

// Every query of every dashboard, variables substituted as Grafana would, is PromQL
// that the real Prometheus parser accepts: the queries are written as recording
// rules and checked by promtool check rules.
func TestDashboardQueriesPassPromtool(t *testing.T) {
	promtool := testenv.Tool(t, "promtool")
	var rules []monitoringv1.Rule
	seen := map[string]bool{}
	for name, n := range dashboardNetworks(t) {
		for key, d := range dashboardsOf(t, n) {
			for _, expr := range d.exprs(t) {
				for _, ref := range variableRef.FindAllString(expr, -1) {
					if _, ok := sampleValues[ref]; !ok {
						t.Errorf("%s %s: query %q uses %s, which no dashboard variable defines", name, key, expr, ref)
					}
				}
				// Longest names first: $node must not eat the start of $namespace.
				refs := make([]string, 0, len(sampleValues))
				for ref := range sampleValues {
					refs = append(refs, ref)
				}
				slices.SortFunc(refs, func(a, b string) int { return len(b) - len(a) })
				for _, ref := range refs {
					expr = strings.ReplaceAll(expr, ref, sampleValues[ref])
				}
				if seen[expr] {
					continue
				}
				seen[expr] = true
				rules = append(rules, monitoringv1.Rule{Record: fmt.Sprintf("flux_ledger_dashboard:query_%d", len(rules)+1), Expr: intstr.FromString(expr)})
			}
		}
	}
	if len(rules) < 20 {
		t.Fatalf("only %d queries found in the dashboards", len(rules))
	}
	slices.SortFunc(rules, func(a, b monitoringv1.Rule) int { return strings.Compare(a.Expr.String(), b.Expr.String()) })
	for i := range rules {
		rules[i].Record = fmt.Sprintf("flux_ledger_dashboard:query_%d", i+1)
	}
	file := filepath.Join(t.TempDir(), "dashboards.yaml")
	writeRuleFile(t, file, &monitoringv1.PrometheusRule{
		ObjectMeta: metav1.ObjectMeta{Name: "dashboards"},
		Spec:       monitoringv1.PrometheusRuleSpec{Groups: []monitoringv1.RuleGroup{{Name: "dashboards", Rules: rules}}},
	})
	out, err := exec.Command(promtool, "check", "rules", "--lint-fatal", file).CombinedOutput()
	if err != nil {
		data, _ := os.ReadFile(file)
		t.Fatalf("promtool check rules: %v\n%s\n%s", err, out, data)
	}
	t.Logf("promtool check rules on %d dashboard queries:\n%s", len(rules), out)
}

// The extractor of variable queries only accepts Grafana's label_values form, and
// a broken query fails promtool: the test above has teeth.
func TestDashboardQueryCheckRejectsBadPromQL(t *testing.T) {
	promtool := testenv.Tool(t, "promtool")
	if m := labelValues.FindStringSubmatch(`label_values(up{job=~".+/ledger-nodes"}, namespace)`); m == nil || m[1] != `up{job=~".+/ledger-nodes"}` {
		t.Errorf("label_values selector = %v", m)
	}
	file := filepath.Join(t.TempDir(), "bad.yaml")
	writeRuleFile(t, file, &monitoringv1.PrometheusRule{Spec: monitoringv1.PrometheusRuleSpec{Groups: []monitoringv1.RuleGroup{{
		Name: "bad", Rules: []monitoringv1.Rule{{Record: "x:y", Expr: intstr.FromString(`max by (namespace (up)`)}},
	}}}})
	if out, err := exec.Command(promtool, "check", "rules", file).CombinedOutput(); err == nil {
		t.Fatalf("promtool accepted an unbalanced expression:\n%s", out)
	}
}
