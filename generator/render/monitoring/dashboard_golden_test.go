package monitoring_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// The dashboards' JSON is kept under testdata/dashboards/ (one file per network
// kind and dashboard), so a change to a panel shows in review as a JSON diff and an
// unintended one fails here. Refresh with go test -run TestDashboardsGolden -update
// after a deliberate change, and review the diff; the queries themselves are checked
// by promtool and against the metric table, not by this file.
func TestDashboardsGolden(t *testing.T) {
	for name, n := range dashboardNetworks(t) {
		for _, d := range monitoring.Dashboards(n) {
			got, err := d.JSON()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "dashboards", name+"_"+d.UID+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("dashboard %s of %s differs from %s (go test -run TestDashboardsGolden -update, then review)", d.UID, name, path)
			}
		}
	}
}
