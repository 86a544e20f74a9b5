package monitoring

import (
	"bytes"
	"encoding/json"
)

// The few fields of Grafana's classic dashboard JSON model the ledger dashboards
// use (grafana.com/docs/grafana/latest/visualizations/dashboards/build-dashboards/
// view-dashboard-json-model/, "Classic model": the dashboard's uid, title, tags,
// timezone, editable, graphTooltip, time, refresh, schemaVersion, templating.list,
// panels with gridPos, datasource, targets and fieldConfig). Typed here rather than
// taken from a Grafana SDK: Grafana publishes its schema as CUE and TypeScript, and
// the Go module that carries it pulls in the whole server. Fields left out take
// Grafana's defaults when it loads the dashboard.

// Dashboard is one dashboard.
type Dashboard struct {
	UID           string     `json:"uid"`
	Title         string     `json:"title"`
	Description   string     `json:"description,omitempty"`
	Tags          []string   `json:"tags"`
	Timezone      string     `json:"timezone"`
	Editable      bool       `json:"editable"`
	GraphTooltip  int        `json:"graphTooltip"`
	Time          TimeRange  `json:"time"`
	Refresh       string     `json:"refresh"`
	SchemaVersion int        `json:"schemaVersion"`
	Templating    Templating `json:"templating"`
	Panels        []Panel    `json:"panels"`
}

// TimeRange is the dashboard's default time range, in Grafana's relative syntax.
type TimeRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Templating holds the dashboard's variables.
type Templating struct {
	List []Variable `json:"list"`
}

// DataSourceRef names the data source a panel or variable queries. The ledger
// dashboards always refer to the ${datasource} variable, never to a fixed uid, so
// the same JSON works with any Prometheus data source: the cluster's own Grafana, or
// Azure Managed Grafana reading an Azure Monitor workspace.
type DataSourceRef struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Variable is a template variable: of type "datasource" (Query is the data source
// plugin id, and the user picks one of that type) or "query" (Query is a Prometheus
// data source query such as label_values(<selector>, <label>)).
type Variable struct {
	Name       string         `json:"name"`
	Label      string         `json:"label"`
	Type       string         `json:"type"`
	Query      string         `json:"query"`
	Definition string         `json:"definition,omitempty"`
	Datasource *DataSourceRef `json:"datasource,omitempty"`
	// Refresh 2 re-reads a query variable's values whenever the time range changes.
	Refresh    int    `json:"refresh"`
	Multi      bool   `json:"multi"`
	IncludeAll bool   `json:"includeAll"`
	AllValue   string `json:"allValue,omitempty"`
	Sort       int    `json:"sort"`
}

// Panel is one panel: a timeseries, stat or text panel.
type Panel struct {
	ID          int            `json:"id"`
	Type        string         `json:"type"`
	Title       string         `json:"title"`
	Description string         `json:"description,omitempty"`
	GridPos     GridPos        `json:"gridPos"`
	Datasource  *DataSourceRef `json:"datasource,omitempty"`
	Targets     []Target       `json:"targets,omitempty"`
	FieldConfig *FieldConfig   `json:"fieldConfig,omitempty"`
	Options     any            `json:"options,omitempty"`
}

// GridPos places a panel on the dashboard's 24-column grid.
type GridPos struct {
	H int `json:"h"`
	W int `json:"w"`
	X int `json:"x"`
	Y int `json:"y"`
}

// Target is one Prometheus query of a panel.
type Target struct {
	RefID        string         `json:"refId"`
	Datasource   *DataSourceRef `json:"datasource"`
	Expr         string         `json:"expr"`
	LegendFormat string         `json:"legendFormat,omitempty"`
	Instant      bool           `json:"instant,omitempty"`
	Range        bool           `json:"range,omitempty"`
}

// FieldConfig sets how a panel shows its values.
type FieldConfig struct {
	Defaults  FieldDefaults `json:"defaults"`
	Overrides []any         `json:"overrides"`
}

// FieldDefaults is the unit, bounds and decimals of a panel's values.
type FieldDefaults struct {
	Unit     string   `json:"unit,omitempty"`
	Min      *float64 `json:"min,omitempty"`
	Decimals *int     `json:"decimals,omitempty"`
}

// StatOptions show the last value of each series.
type StatOptions struct {
	ReduceOptions ReduceOptions `json:"reduceOptions"`
	ColorMode     string        `json:"colorMode"`
	GraphMode     string        `json:"graphMode"`
	TextMode      string        `json:"textMode"`
}

// ReduceOptions say which value of a series a stat shows.
type ReduceOptions struct {
	Calcs  []string `json:"calcs"`
	Fields string   `json:"fields"`
	Values bool     `json:"values"`
}

// TimeSeriesOptions place the legend.
type TimeSeriesOptions struct {
	Legend  Legend  `json:"legend"`
	Tooltip Tooltip `json:"tooltip"`
}

// Legend of a timeseries panel.
type Legend struct {
	DisplayMode string `json:"displayMode"`
	Placement   string `json:"placement"`
	ShowLegend  bool   `json:"showLegend"`
}

// Tooltip of a timeseries panel: "multi" lists every series at the cursor.
type Tooltip struct {
	Mode string `json:"mode"`
	Sort string `json:"sort"`
}

// TextOptions are a text panel's markdown.
type TextOptions struct {
	Mode    string `json:"mode"`
	Content string `json:"content"`
}

// JSON is the dashboard as Grafana reads it: indented, keys in the order of the
// structs above, and PromQL's comparison operators left as they are (not escaped as
// \u003e), so the same dashboard always gives the same bytes and a reviewer can
// read the queries in the diff.
func (d *Dashboard) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
