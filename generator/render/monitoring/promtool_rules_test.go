package monitoring_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// writeRuleFile writes a PrometheusRule's spec as a Prometheus rule file: the
// Operator hands the groups to Prometheus as they are, so the spec is the file.
func writeRuleFile(t *testing.T, path string, r *monitoringv1.PrometheusRule) {
	t.Helper()
	data, err := yaml.Marshal(r.Spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Every rule file rendered for the reference networks, Besu and Fabric, is one that
// Prometheus loads: promtool parses each expression and template, and its linter
// (duplicate rules) is fatal.
func TestRenderedRulesPassPromtoolCheck(t *testing.T) {
	promtool := testenv.Tool(t, "promtool")
	besu, fabric := networks(t)
	dir := t.TempDir()
	var files []string
	for _, n := range []*model.Network{besu, fabric} {
		monitorAll(n, model.MonitoringPrometheusOperator)
		for p, r := range ruleFiles(t, renderTree(t, n)) {
			file := filepath.Join(dir, n.Name+"_"+strings.ReplaceAll(p, "/", "_"))
			writeRuleFile(t, file, r)
			files = append(files, file)
		}
	}
	if len(files) == 0 {
		t.Fatal("no rule files rendered")
	}
	sort.Strings(files)
	out, err := exec.Command(promtool, append([]string{"check", "rules", "--lint-fatal"}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	t.Logf("promtool check rules on %d files:\n%s", len(files), out)
}

// The chain-stopped, node-behind and peer alerts fire on synthetic series that show
// the failure, and stay silent on series that do not (testdata/besu_alerts.test.yaml,
// whose thresholds are worked out by hand from the reference network).
func TestBesuAlertsFireAndClear(t *testing.T) {
	besu, _ := networks(t)
	promtoolTest(t, besu, "parties/contoso/monitoring/contoso-aks-weu/prometheusrule.yaml", "besu_alerts.test.yaml")
}

// The Raft leader storm and the gossip peer alerts of a Fabric cluster fire and clear
// on synthetic series (testdata/fabric_alerts.test.yaml).
func TestFabricAlertsFireAndClear(t *testing.T) {
	_, fabric := networks(t)
	promtoolTest(t, fabric, "parties/contoso/monitoring/contoso-aks-weu/prometheusrule.yaml", "fabric_alerts.test.yaml")
}

// A SmartBFT network's orderers alert on a storm of view changes (the leader id
// they follow keeps changing) and stay silent on one view change
// (testdata/smartbft_alerts.test.yaml). The Fabric reference network runs Raft, so
// its contoso cluster's rules are rendered here with the algorithm switched.
func TestSmartBFTAlertsFireAndClear(t *testing.T) {
	_, fabric := networks(t)
	fabric.Consensus.Algorithm = model.SmartBFT
	var nodes []model.Node
	for _, name := range []string{"contoso-orderer-1", "contoso-peer-1"} {
		nodes = append(nodes, fabric.Nodes[name])
	}
	r, err := monitoring.PrometheusRule(fabric, peering.Of(fabric), fabric.Parties["contoso"], fabric.Clusters["contoso-aks-weu"], nodes)
	if err != nil {
		t.Fatal(err)
	}
	promtoolTestRule(t, r, "smartbft_alerts.test.yaml")
}

// promtoolTest renders the network with every cluster monitored and runs the unit
// test file of testdata/ on the rules of one rendered file.
func promtoolTest(t *testing.T, n *model.Network, rulesPath, testFile string) {
	t.Helper()
	monitorAll(n, model.MonitoringPrometheusOperator)
	r := ruleFiles(t, renderTree(t, n))[rulesPath]
	if r == nil {
		t.Fatalf("no rules rendered at %s", rulesPath)
	}
	promtoolTestRule(t, r, testFile)
}

// promtoolTestRule writes the rules as rules.yaml beside the unit test file from
// testdata/, and runs promtool test rules on it.
func promtoolTestRule(t *testing.T, r *monitoringv1.PrometheusRule, testFile string) {
	t.Helper()
	promtool := testenv.Tool(t, "promtool")
	dir := t.TempDir()
	writeRuleFile(t, filepath.Join(dir, "rules.yaml"), r)
	test, err := os.ReadFile(filepath.Join("testdata", testFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, testFile), test, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(promtool, "test", "rules", testFile)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool test rules %s: %v\n%s", testFile, err, out)
	}
	t.Logf("%s", out)
}
