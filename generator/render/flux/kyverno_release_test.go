package flux_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

func kyvernoRelease(t *testing.T) *unstructured.Unstructured {
	t.Helper()
	network := referenceNetwork(t)
	files, err := flux.Cluster(network, peering.Of(network), network.Clusters[network.ClusterNames()[0]], nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range testenv.DecodeObjects(t, files["kyverno/kyverno.yaml"]) {
		if obj.GetKind() == "HelmRelease" {
			return obj
		}
	}
	t.Fatal("no HelmRelease in kyverno/kyverno.yaml")
	return nil
}

// TestKyvernoReleaseRemediates: one failed install or upgrade of Kyverno must not
// block every party's workloads until someone intervenes. helm-controller api/v2
// (InstallRemediation, UpgradeRemediation): a negative retries count retries without
// end; the upgrade strategy rolls back. The fields must exist in the HelmRelease CRD
// of Arc's Flux 2.7 (helm-controller v1.4.3) and of Flux 2.9.
func TestKyvernoReleaseRemediates(t *testing.T) {
	release := kyvernoRelease(t)
	for _, action := range []string{"install", "upgrade"} {
		v, ok, _ := unstructured.NestedFieldNoCopy(release.Object, "spec", action, "remediation", "retries")
		if retries, err := strconv.Atoi(fmt.Sprint(v)); !ok || err != nil || retries >= 0 {
			t.Errorf("spec.%s.remediation.retries = %v (set %t), want a negative integer (unlimited)", action, v, ok)
		}
	}
	if s, _, _ := unstructured.NestedString(release.Object, "spec", "upgrade", "remediation", "strategy"); s != "rollback" {
		t.Errorf("spec.upgrade.remediation.strategy = %q, want rollback", s)
	}
	for _, fluxRelease := range []string{"2.7", "2.9"} {
		for _, path := range [][]string{
			{"spec", "install", "remediation", "retries"},
			{"spec", "upgrade", "remediation", "retries"},
			{"spec", "upgrade", "remediation", "strategy"},
		} {
			field := crdField(t, fluxRelease, "HelmRelease", "v2", path...)
			if field == nil {
				t.Errorf("Flux %s HelmRelease v2 has no %s", fluxRelease, strings.Join(path, "."))
			}
			if path[len(path)-1] == "strategy" && field != nil && !strings.Contains(strings.Join(strings.Fields(toString(field["enum"])), " "), "rollback") {
				t.Errorf("Flux %s: strategy enum %v lacks rollback", fluxRelease, field["enum"])
			}
		}
	}
}

func toString(v any) string {
	data, _ := yaml.Marshal(v)
	return string(data)
}

// TestKyvernoChartShipsTheTestedEngine: the chart the clusters install must run the
// Kyverno engine whose CLI the policy suites run (hack/tools/kyverno/go.mod). The
// chart's Chart.yaml is read from that very module (charts/kyverno/Chart.yaml in the
// kyverno module zip, downloaded by make tools): chart 3.7.2, the old pin, shipped
// appVersion v1.17.2.
func TestKyvernoChartShipsTheTestedEngine(t *testing.T) {
	gomod, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "hack", "tools", "kyverno", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^require github\.com/kyverno/kyverno (v\S+)`).FindSubmatch(gomod)
	if m == nil {
		t.Fatal("hack/tools/kyverno/go.mod pins no github.com/kyverno/kyverno")
	}
	tested := string(m[1])
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	chartFile := filepath.Join(strings.TrimSpace(string(out)), "github.com", "kyverno", "kyverno@"+tested, "charts", "kyverno", "Chart.yaml")
	data, err := os.ReadFile(chartFile)
	if err != nil {
		if os.Getenv("FLUX_LEDGER_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%v (run make tools)", err)
		}
		t.Skipf("kyverno %s module not downloaded: run make tools", tested)
	}
	var chart struct {
		Version    string `json:"version"`
		AppVersion string `json:"appVersion"`
	}
	if err := yaml.Unmarshal(data, &chart); err != nil {
		t.Fatal(err)
	}
	network := referenceNetwork(t)
	if chart.AppVersion != tested || chart.Version != network.Compliance.Kyverno.ChartVersion {
		t.Errorf("clusters install chart %s; the tested engine %s ships in chart %s (appVersion %s)",
			network.Compliance.Kyverno.ChartVersion, tested, chart.Version, chart.AppVersion)
	}
	spec, _, _ := unstructured.NestedString(kyvernoRelease(t).Object, "spec", "chart", "spec", "version")
	if spec != chart.Version {
		t.Errorf("HelmRelease pins chart %s, want %s", spec, chart.Version)
	}
}

// TestKyvernoCRDsOutliveTheRelease: uninstalling the Kyverno release, or the
// remediation of a failed install, must not delete the CRDs — with them every
// ClusterPolicy goes, the guards included. The chart renders its CRDs as templates of
// its crds subchart (charts/kyverno/Chart.yaml: dependency crds, condition
// crds.install), which Helm deletes with the release whatever install.crds says
// (helm-controller api/v2: CRDs policies act on the chart's crds/ directory). Each CRD
// template writes the subchart's .Values.annotations, the parent's crds.annotations
// ("Additional CRDs annotations", values.yaml), into its metadata; Helm leaves a
// resource annotated helm.sh/resource-policy: keep on uninstall, upgrade and rollback
// (helm.sh, "Chart Development Tips and Tricks"). Read from the chart of the tested
// engine (the kyverno module zip, as TestKyvernoChartShipsTheTestedEngine).
func TestKyvernoCRDsOutliveTheRelease(t *testing.T) {
	annotations, _, _ := unstructured.NestedStringMap(kyvernoRelease(t).Object, "spec", "values", "crds", "annotations")
	if annotations["helm.sh/resource-policy"] != "keep" {
		t.Errorf("spec.values.crds.annotations = %v, want helm.sh/resource-policy: keep", annotations)
	}
	gomod, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "hack", "tools", "kyverno", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	tested := regexp.MustCompile(`(?m)^require github\.com/kyverno/kyverno (v\S+)`).FindSubmatch(gomod)
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil || tested == nil {
		t.Fatal(err, "no kyverno pin")
	}
	chart := filepath.Join(strings.TrimSpace(string(out)), "github.com", "kyverno", "kyverno@"+string(tested[1]), "charts", "kyverno")
	template, err := os.ReadFile(filepath.Join(chart, "charts", "crds", "templates", "kyverno.io", "kyverno.io_clusterpolicies.yaml"))
	if err != nil {
		if os.Getenv("FLUX_LEDGER_REQUIRE_TOOLS") == "1" {
			t.Fatalf("%v (run make tools)", err)
		}
		t.Skipf("kyverno module not downloaded: run make tools")
	}
	if !regexp.MustCompile(`(?s)metadata:.*annotations:\s*\{\{- with \.Values\.annotations \}\}`).Match(template) {
		t.Errorf("the ClusterPolicy CRD template no longer takes .Values.annotations:\n%s", template[:min(len(template), 600)])
	}
	chartYAML, err := os.ReadFile(filepath.Join(chart, "Chart.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Dependencies []struct{ Name, Alias, Condition string } `json:"dependencies"`
	}
	if err := yaml.Unmarshal(chartYAML, &c); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range c.Dependencies {
		found = found || (d.Name == "crds" && d.Alias == "" && d.Condition == "crds.install")
	}
	if !found {
		t.Errorf("the chart's CRDs are no longer its crds subchart (values key crds): %s", chartYAML)
	}
}
