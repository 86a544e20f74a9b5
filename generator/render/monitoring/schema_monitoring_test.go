package monitoring_test

import (
	"path/filepath"
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
