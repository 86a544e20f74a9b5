package monitoring_test

import (
	"bytes"
	"encoding/json"
	"path"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// readsDatasourceVariable says whether a datasource reference is the one every
// panel, query and query variable must carry: the ${datasource} variable (type
// datasource), which Grafana resolves to the data source the viewer picks, so the
// JSON imports unchanged into any Grafana, Azure Managed Grafana included, whatever
// its Prometheus data source's uid.
func readsDatasourceVariable(raw json.RawMessage) bool {
	var ref struct{ Type, UID string }
	return json.Unmarshal(raw, &ref) == nil && ref.Type == "prometheus" && ref.UID == "${datasource}"
}

// Each monitored cluster's directory holds the platform's three dashboards as
// ConfigMaps the Grafana sidecar loads: label grafana_dashboard "1" (the grafana
// chart's sidecar.dashboards.label; kube-prometheus-stack's labelValue), in the
// party's namespace, listed by the directory's kustomization, one <uid>.json key
// each, under the 1 MiB a ConfigMap may hold (kubernetes.io "ConfigMaps").
func TestDashboardsShipAsSidecarConfigMaps(t *testing.T) {
	besu, fabric := networks(t)
	for _, n := range []*model.Network{besu, fabric} {
		monitorAll(n, model.MonitoringPrometheusOperator)
		out := renderTree(t, n)
		clusters := 0
		for name, c := range n.Clusters {
			dir := monitoringDir(c.Party, name)
			data, ok := out[path.Join(dir, "kustomization.yaml")]
			if !ok {
				continue // a cluster that runs no node of the party
			}
			clusters++
			var k types.Kustomization
			if err := yaml.Unmarshal(data, &k); err != nil {
				t.Fatal(err)
			}
			var uids []string
			for _, kind := range []string{"network", "node", "consensus"} {
				file := "dashboard-" + kind + ".yaml"
				if !slices.Contains(k.Resources, file) {
					t.Errorf("%s: kustomization does not list %s: %v", dir, file, k.Resources)
				}
				var cm corev1.ConfigMap
				if err := yaml.UnmarshalStrict(out[path.Join(dir, file)], &cm); err != nil {
					t.Fatalf("%s/%s: %v", dir, file, err)
				}
				if cm.Kind != "ConfigMap" || cm.Labels["grafana_dashboard"] != "1" || cm.Namespace != n.Parties[c.Party].Namespace {
					t.Errorf("%s/%s: kind %s, labels %v, namespace %s", dir, file, cm.Kind, cm.Labels, cm.Namespace)
				}
				if size := len(out[path.Join(dir, file)]); size >= 1<<20 {
					t.Errorf("%s/%s: %d bytes, over a ConfigMap's 1 MiB", dir, file, size)
				}
				if len(cm.Data) != 1 {
					t.Fatalf("%s/%s: want one dashboard, got keys %d", dir, file, len(cm.Data))
				}
				for key, text := range cm.Data {
					var d dashboardJSON
					if err := json.Unmarshal([]byte(text), &d); err != nil {
						t.Fatalf("%s/%s %s: %v", dir, file, key, err)
					}
					if key != d.UID+".json" || len(d.UID) > 40 {
						t.Errorf("%s/%s: key %s for uid %q (Grafana uids are at most 40 characters)", dir, file, key, d.UID)
					}
					uids = append(uids, d.UID)
					checkDashboard(t, dir+"/"+file, d)
				}
			}
			slices.Sort(uids)
			if len(slices.Compact(uids)) != 3 {
				t.Errorf("%s: dashboard uids are not distinct: %v", dir, uids)
			}
		}
		if clusters == 0 {
			t.Fatalf("%s: no monitored cluster", n.Name)
		}
	}
}

// checkDashboard checks what makes a dashboard portable and readable: the
// datasource variable and its use everywhere, distinct panel ids, and panels on
// Grafana's 24-column grid without overlapping.
func checkDashboard(t *testing.T, where string, d dashboardJSON) {
	t.Helper()
	var hasDatasourceVar bool
	for _, v := range d.Templating.List {
		switch v.Type {
		case "datasource":
			hasDatasourceVar = v.Name == "datasource" && v.Query == "prometheus"
		case "query":
			if !readsDatasourceVariable(v.Datasource) {
				t.Errorf("%s: variable %s reads datasource %s", where, v.Name, v.Datasource)
			}
		}
	}
	if !hasDatasourceVar {
		t.Errorf("%s: no datasource variable of type prometheus", where)
	}
	ids := map[int]bool{}
	type cell struct{ x, y int }
	taken := map[cell]int{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("%s: panel id %d twice", where, p.ID)
		}
		ids[p.ID] = true
		if p.Type != "text" && !readsDatasourceVariable(p.Datasource) {
			t.Errorf("%s: panel %q reads datasource %s", where, p.Title, p.Datasource)
		}
		for _, target := range p.Targets {
			if !readsDatasourceVariable(target.Datasource) {
				t.Errorf("%s: a query of panel %q reads datasource %s", where, p.Title, target.Datasource)
			}
		}
		g := p.GridPos
		if g.W < 1 || g.H < 1 || g.X < 0 || g.X+g.W > 24 {
			t.Errorf("%s: panel %q off the grid: %+v", where, p.Title, g)
		}
		for x := g.X; x < g.X+g.W; x++ {
			for y := g.Y; y < g.Y+g.H; y++ {
				if other, ok := taken[cell{x, y}]; ok {
					t.Errorf("%s: panel %q overlaps panel %d at %d,%d", where, p.Title, other, x, y)
					return
				}
				taken[cell{x, y}] = p.ID
			}
		}
	}
	if len(d.Panels) < 4 {
		t.Errorf("%s: only %d panels", where, len(d.Panels))
	}
}

// The dashboards' bytes depend on the network alone: rendering twice gives the
// same files, so regenerating an unchanged network rewrites none of them.
func TestDashboardsAreDeterministic(t *testing.T) {
	besu, fabric := networks(t)
	for _, n := range []*model.Network{besu, fabric} {
		name := n.Name
		monitorAll(n, model.MonitoringPrometheusOperator)
		first, second := renderTree(t, n), renderTree(t, n)
		count := 0
		for p, data := range first {
			if !strings.HasPrefix(path.Base(p), "dashboard-") {
				continue
			}
			count++
			if !bytes.Equal(data, second[p]) {
				t.Errorf("%s: %s differs between two renders", name, p)
			}
		}
		if count == 0 {
			t.Errorf("%s: no dashboard rendered", name)
		}
	}
}
