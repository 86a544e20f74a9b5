package monitoring_test

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// The schema's monitoring choice (cue/schema/monitoring.cue): a cluster may state a
// mode and a namespace, and a mode that is not one of the three is refused at the
// cluster's field.
func TestSchemaMonitoringChoice(t *testing.T) {
	const cluster = `"contoso-aks-weu": {`
	edit := func(t *testing.T, monitoring string) (*load.Result, error) {
		dir := t.TempDir()
		testenv.CopyDir(t, filepath.Join(testenv.RepoRoot(t), "cue"), dir)
		testenv.EditFile(t, filepath.Join(dir, "network.cue"), cluster, cluster+"\n\t\t\tmonitoring: "+monitoring)
		return load.Network(dir)
	}
	t.Run("stated", func(t *testing.T) {
		r, err := edit(t, `{mode: "prometheusOperator", namespace: "observability"}`)
		if err != nil {
			t.Fatal(err)
		}
		got := r.Network.Clusters["contoso-aks-weu"].Monitoring
		if got != (model.Monitoring{Mode: model.MonitoringPrometheusOperator, Namespace: "observability"}) {
			t.Errorf("monitoring loads as %+v", got)
		}
		if other := r.Network.Clusters["woodgrove-hci-ams"].Monitoring; other.Mode != model.MonitoringNone {
			t.Errorf("another cluster's monitoring %+v, want the default none", other)
		}
	})
	t.Run("unknown mode", func(t *testing.T) {
		_, err := edit(t, `mode: "prometheus"`)
		if err == nil || !strings.Contains(err.Error(), `network.cue:`) || !strings.Contains(err.Error(), `clusters."contoso-aks-weu".monitoring.mode`) {
			t.Errorf("mode prometheus: %v, want an error at network.cue, clusters.\"contoso-aks-weu\".monitoring.mode", err)
		}
	})
}

// azureMonitor needs a workspace and a cluster Azure knows; share needs well-formed
// metric names, parties of the network and the Prometheus Operator. Each refusal
// names the field at fault.
func TestSchemaAzureMonitorAndShare(t *testing.T) {
	const cluster = `"contoso-aks-weu": {`
	const workspace = `"/subscriptions/00000000-0000-0000-0000-0000000000aa/resourcegroups/tradenet-monitoring/providers/microsoft.monitor/accounts/tradenet-amw"`
	load1 := func(t *testing.T, file, anchor, monitoring string) (*load.Result, error) {
		if file == "fabric" {
			text := strings.Replace(testenv.FabricExample(t), anchor, anchor+"\n\t\t\tmonitoring: "+monitoring, 1)
			return load.Network(testenv.Module(t, map[string]string{"network.cue": text}))
		}
		dir := t.TempDir()
		testenv.CopyDir(t, filepath.Join(testenv.RepoRoot(t), "cue"), dir)
		testenv.EditFile(t, filepath.Join(dir, "network.cue"), anchor, anchor+"\n\t\t\tmonitoring: "+monitoring)
		return load.Network(dir)
	}
	t.Run("azureMonitor", func(t *testing.T) {
		r, err := load1(t, "besu", cluster, `{mode: "azureMonitor", workspace: `+workspace+`}`)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Network.Clusters["contoso-aks-weu"].Monitoring.Workspace; got != strings.Trim(workspace, `"`) {
			t.Errorf("workspace loads as %q", got)
		}
	})
	const images = `images: {prometheus: "docker.io/prom/prometheus:v3.5.0", configReloader: "ghcr.io/prometheus-operator/prometheus-config-reloader:v0.93.1"}`
	share := `share: {url: "https://metrics.tradenet.example/api/v1/write", series: ["ethereum_blockchain_height", "up"], with: ["fabrikam"], ` + images + `}`
	t.Run("share", func(t *testing.T) {
		r, err := load1(t, "besu", cluster, `{mode: "prometheusOperator", `+share+`}`)
		if err != nil {
			t.Fatal(err)
		}
		got := r.Network.Clusters["contoso-aks-weu"].Monitoring.Share
		want := &model.Share{URL: "https://metrics.tradenet.example/api/v1/write", Series: []string{"ethereum_blockchain_height", "up"}, With: []string{"fabrikam"},
			Images: model.ShareImages{Prometheus: "docker.io/prom/prometheus:v3.5.0", ConfigReloader: "ghcr.io/prometheus-operator/prometheus-config-reloader:v0.93.1"}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("share loads as %+v", got)
		}
	})
	for name, c := range map[string]struct{ file, anchor, monitoring, field string }{
		"no workspace":      {"besu", cluster, `mode: "azureMonitor"`, `clusters."contoso-aks-weu".monitoring.workspace`},
		"not a workspace":   {"besu", cluster, `{mode: "azureMonitor", workspace: "/subscriptions/x/resourceGroups/y"}`, `clusters."contoso-aks-weu".monitoring.workspace`},
		"flux cluster":      {"fabric", `"fabrikam-gke-euw3": {`, `{mode: "azureMonitor", workspace: ` + workspace + `}`, `checks.azureMonitorOnArc."fabrikam-gke-euw3"`},
		"bad metric name":   {"besu", cluster, `{mode: "prometheusOperator", share: {url: "https://m.example/w", series: ["ethereum-height"], with: ["fabrikam"], ` + images + `}}`, `clusters."contoso-aks-weu".monitoring.share.series.0`},
		"plain http":        {"besu", cluster, `{mode: "prometheusOperator", share: {url: "http://m.example/w", series: ["up"], with: ["fabrikam"], ` + images + `}}`, `clusters."contoso-aks-weu".monitoring.share.url`},
		"unknown party":     {"besu", cluster, `{mode: "prometheusOperator", share: {url: "https://m.example/w", series: ["up"], with: ["globex"], ` + images + `}}`, `globex`},
		"share on azure":    {"besu", cluster, `{mode: "azureMonitor", workspace: ` + workspace + `, ` + share + `}`, `checks.shareNeedsPrometheusOperator."contoso-aks-weu"`},
		"no series":         {"besu", cluster, `{mode: "prometheusOperator", share: {url: "https://m.example/w", series: [], with: ["fabrikam"], ` + images + `}}`, `clusters."contoso-aks-weu".monitoring.share.series`},
		"registry":          {"besu", cluster, `{mode: "prometheusOperator", share: {url: "https://m.example/w", series: ["up"], with: ["fabrikam"], images: {prometheus: "quay.io/prometheus/prometheus:v3.5.0", configReloader: "docker.io/x/y:1"}}}`, `checks.shareImageRegistryAllowed."contoso-aks-weu".0`},
		"untagged image":    {"besu", cluster, `{mode: "prometheusOperator", share: {url: "https://m.example/w", series: ["up"], with: ["fabrikam"], images: {prometheus: "docker.io/prom/prometheus@sha256:` + strings.Repeat("a", 64) + `", configReloader: "docker.io/x/y:1"}}}`, `clusters."contoso-aks-weu".monitoring.share.images.prometheus`},
		"no images":         {"besu", cluster, `{mode: "prometheusOperator", share: {url: "https://m.example/w", series: ["up"], with: ["fabrikam"]}}`, `clusters."contoso-aks-weu".monitoring.share.images`},
		"duplicated series": {"besu", cluster, `{mode: "prometheusOperator", share: {url: "https://m.example/w", series: ["up", "up"], with: ["fabrikam"], ` + images + `}}`, `clusters."contoso-aks-weu".monitoring.share.series`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := load1(t, c.file, c.anchor, c.monitoring)
			if err == nil || !strings.Contains(err.Error(), c.field) {
				t.Fatalf("%s: %v, want an error naming %s", c.monitoring, err, c.field)
			}
			t.Log(err)
		})
	}
}
