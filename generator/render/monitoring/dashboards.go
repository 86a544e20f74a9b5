package monitoring

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Grafana's dashboard sidecar (kiwigrid/k8s-sidecar: its LABEL selects ConfigMaps
// by label key, LABEL_VALUE optionally by value, and each data key becomes a file
// Grafana's file provider loads) is what the grafana Helm chart runs: its values.yaml
// (grafana/helm-charts: charts/grafana/values.yaml, sidecar.dashboards) sets label
// grafana_dashboard with labelValue "" (any value), and kube-prometheus-stack's
// (prometheus-community/helm-charts: charts/kube-prometheus-stack/values.yaml) sets
// labelValue "1". "1" satisfies both. The sidecar searches only its own namespace
// unless sidecar.dashboards.searchNamespace names others (or ALL); the ConfigMaps
// stay in the party's namespace because the party's Kyverno isolation policy keeps
// its objects there.
const (
	DashboardLabel      = "grafana_dashboard"
	DashboardLabelValue = "1"
	dashboardPrefix     = "ledger-dashboard-"
)

// Dashboard kinds, one ConfigMap each.
const (
	DashboardNetwork   = "network"
	DashboardNode      = "node"
	DashboardConsensus = "consensus"
)

// Template variables the dashboards' queries refer to. The test that runs promtool
// on every query replaces them with sample values.
const (
	varDatasource = "datasource"
	varNamespace  = "namespace"
	varNode       = "node"
	varChannel    = "channel"
)

// datasource is the reference every panel and variable uses: the data source the
// viewer picked in the ${datasource} variable, not a uid fixed at render time.
var datasource = &DataSourceRef{Type: "prometheus", UID: "${" + varDatasource + "}"}

// ledgerSel matches the series of the ledger nodes of the parties picked in
// $namespace: the PodMonitor's job is <namespace>/ledger-nodes. With several parties
// picked Grafana writes $namespace as (a|b), which stays a valid regular expression
// inside the job matcher.
func ledgerSel(extra ...string) string {
	m := append([]string{
		fmt.Sprintf(`job=~"$%s/%s"`, varNamespace, PodMonitorName),
		fmt.Sprintf(`namespace=~"$%s"`, varNamespace),
	}, extra...)
	return "{" + strings.Join(m, ", ") + "}"
}

// Matchers on the labels the PodMonitor copies from the pod.
var (
	onNode    = fmt.Sprintf(`%s=~"$%s"`, LabelNode, varNode)
	onChannel = fmt.Sprintf(`channel=~"$%s"`, varChannel)
)

func onRole(role string) string { return fmt.Sprintf(`%s=%q`, LabelRole, role) }

// Dashboards are the platform's dashboards, the same for every party of the
// network: they read whichever parties' series the data source holds (the party's
// own Prometheus, or a consortium workspace the parties forward to) and the viewer
// picks parties and nodes in their variables.
func Dashboards(network *model.Network) []*Dashboard {
	if network.IsFabric() {
		return []*Dashboard{fabricNetwork(), fabricNode(), fabricConsensus(network.Consensus.Algorithm)}
	}
	return []*Dashboard{besuNetwork(), besuNode(), besuConsensus()}
}

// DashboardConfigMaps are the dashboards as ConfigMaps for the sidecar, in the
// party's namespace (the sidecar searches its own namespace unless
// sidecar.dashboards.searchNamespace names others or ALL).
func DashboardConfigMaps(network *model.Network, party model.Party) (map[string]*corev1.ConfigMap, error) {
	out := map[string]*corev1.ConfigMap{}
	for _, d := range Dashboards(network) {
		data, err := d.JSON()
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", d.UID, err)
		}
		kind := strings.TrimPrefix(d.UID, "flux-ledger-"+platform(network)+"-")
		m := meta(network, party, dashboardPrefix+kind)
		m.Labels[DashboardLabel] = DashboardLabelValue
		out["dashboard-"+kind+".yaml"] = &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: m,
			Data:       map[string]string{d.UID + ".json": string(data)},
		}
	}
	return out, nil
}

func platform(network *model.Network) string {
	if network.IsFabric() {
		return "fabric"
	}
	return "besu"
}

// board lays panels out left to right on Grafana's 24-column grid, wrapping to a new
// row when a panel does not fit.
type board struct {
	d          *Dashboard
	x, y, rowH int
}

func newBoard(platformName, kind, title, description string, vars ...Variable) *board {
	return &board{d: &Dashboard{
		UID:           "flux-ledger-" + platformName + "-" + kind,
		Title:         title,
		Description:   description,
		Tags:          []string{"flux-ledger", platformName},
		Timezone:      "utc",
		Editable:      false, // provisioned: a change belongs in the generator, not the UI
		GraphTooltip:  1,     // shared crosshair across panels
		Time:          TimeRange{From: "now-6h", To: "now"},
		Refresh:       "30s",
		SchemaVersion: 39,
		Templating:    Templating{List: append([]Variable{datasourceVariable(), namespaceVariable()}, vars...)},
	}}
}

func (b *board) add(p Panel, w, h int) {
	if b.x+w > 24 {
		b.x, b.y, b.rowH = 0, b.y+b.rowH, 0
	}
	p.ID = len(b.d.Panels) + 1
	p.GridPos = GridPos{H: h, W: w, X: b.x, Y: b.y}
	b.x += w
	b.rowH = max(b.rowH, h)
	b.d.Panels = append(b.d.Panels, p)
}

// query is one target: expr with the legend format.
type query struct{ expr, legend string }

func targets(qs []query, instant bool) []Target {
	out := make([]Target, 0, len(qs))
	for i, q := range qs {
		out = append(out, Target{RefID: string(rune('A' + i)), Datasource: datasource, Expr: q.expr, LegendFormat: q.legend, Instant: instant, Range: !instant})
	}
	return out
}

func zero() *float64 { v := 0.0; return &v }

// timeseries adds a graph of the queries over time.
func (b *board) timeseries(title, description, unit string, qs ...query) {
	b.add(Panel{
		Type: "timeseries", Title: title, Description: description, Datasource: datasource,
		Targets:     targets(qs, false),
		FieldConfig: &FieldConfig{Defaults: FieldDefaults{Unit: unit}, Overrides: []any{}},
		Options: TimeSeriesOptions{
			Legend:  Legend{DisplayMode: "list", Placement: "bottom", ShowLegend: true},
			Tooltip: Tooltip{Mode: "multi", Sort: "desc"},
		},
	}, 12, 8)
}

// stat adds the current value of each series of the queries.
func (b *board) stat(title, description, unit string, qs ...query) {
	decimals := 0
	b.add(Panel{
		Type: "stat", Title: title, Description: description, Datasource: datasource,
		Targets:     targets(qs, true),
		FieldConfig: &FieldConfig{Defaults: FieldDefaults{Unit: unit, Min: zero(), Decimals: &decimals}, Overrides: []any{}},
		Options: StatOptions{
			ReduceOptions: ReduceOptions{Calcs: []string{"lastNotNull"}, Fields: "", Values: false},
			ColorMode:     "value", GraphMode: "none", TextMode: "value_and_name",
		},
	}, 8, 5)
}

// text adds a markdown note.
func (b *board) text(title, markdown string) {
	b.add(Panel{Type: "text", Title: title, Options: TextOptions{Mode: "markdown", Content: markdown}}, 24, 4)
}

func datasourceVariable() Variable {
	return Variable{Name: varDatasource, Label: "Data source", Type: "datasource", Query: "prometheus", Refresh: 1}
}

// queryVariable lists the values of label on the series of selector.
func queryVariable(name, label, selector, valueLabel string) Variable {
	q := fmt.Sprintf("label_values(%s, %s)", selector, valueLabel)
	return Variable{
		Name: name, Label: label, Type: "query", Query: q, Definition: q, Datasource: datasource,
		Refresh: 2, Multi: true, IncludeAll: true, AllValue: ".*", Sort: 1,
	}
}

// namespaceVariable lists the parties whose nodes the data source scrapes: every
// namespace with a job named <namespace>/ledger-nodes.
func namespaceVariable() Variable {
	return queryVariable(varNamespace, "Party", fmt.Sprintf(`up{job=~".+/%s"}`, PodMonitorName), "namespace")
}

func nodeVariable() Variable {
	return queryVariable(varNode, "Node", "up"+ledgerSel(), LabelNode)
}

// restarts is kube-state-metrics' restart count of the picked nodes' pods (a
// StatefulSet's pod is <node>-<ordinal>).
func restarts() query {
	return query{
		fmt.Sprintf(`increase(kube_pod_container_status_restarts_total{namespace=~"$%s", pod=~"$%s-[0-9]+"}[1h])`, varNamespace, varNode),
		"{{pod}} {{container}}",
	}
}

// upByParty is how many of each party's nodes answer their scrape, and how many
// there are.
func upByParty(b *board, extra ...string) {
	b.stat("Nodes answering", "Nodes whose last metrics scrape succeeded, of the nodes scraped", "none",
		query{"sum by (namespace) (up" + ledgerSel(extra...) + ")", "{{namespace}} up"},
		query{"count by (namespace) (up" + ledgerSel(extra...) + ")", "{{namespace}} scraped"})
}
