package monitoring_test

import (
	"path"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

var kyvernoSummary = regexp.MustCompile(`pass: (\d+), fail: (\d+), warn: (\d+), error: (\d+), skip: (\d+)`)

// Every monitoring object a party reconciles — with prometheusOperator and a share,
// and with azureMonitor — passes the party's own Kyverno policies (policies/parties/
// <party>/), applied with the real Kyverno CLI to the monitoring directory as
// kustomize builds it. Those policies match the ledger kinds (here the dashboards'
// ConfigMaps and the metrics NetworkPolicy: labels and isolation) and Pods; the
// share's Prometheus, ServiceAccount and RBAC match none; what the Prometheus Operator
// makes from it, pods included, is held to the same policies with the real operator in
// share_pods_admitted_test.go.
func TestMonitoringObjectsComplyWithPartyPolicies(t *testing.T) {
	kyverno := testenv.Tool(t, "kyverno")
	for _, mode := range []string{model.MonitoringPrometheusOperator, model.MonitoringAzureMonitor} {
		besu, _ := networks(t)
		if mode == model.MonitoringAzureMonitor {
			monitorAzure(besu)
		} else {
			monitorAll(besu, mode)
			shareOn(besu, "contoso-aks-weu")
		}
		out := renderTree(t, besu)
		fs := memoryTree(t, besu, out)
		k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
		for _, name := range besu.ClusterNames() {
			c := besu.Clusters[name]
			dir := monitoringDir(c.Party, name)
			if out[path.Join(dir, "kustomization.yaml")] == nil {
				continue
			}
			res, err := k.Run(fs, dir)
			if err != nil {
				t.Fatalf("%s: kustomize build: %v", dir, err)
			}
			data, err := res.AsYaml()
			if err != nil {
				t.Fatal(err)
			}
			r, got := kyvernoApplyYAML(t, kyverno, partyPolicies(t, out, c.Party), data)
			t.Logf("%s %s: %s", mode, dir, r)
			if r.fail != 0 || r.errors != 0 || r.pass == 0 {
				t.Errorf("%s %s: %s\n%s", mode, dir, r, got)
			}
			if mode == model.MonitoringPrometheusOperator && name == "contoso-aks-weu" && !strings.Contains(string(data), "kind: Prometheus\n") {
				t.Errorf("%s: the share's Prometheus is not in the build", dir)
			}
		}
	}
}
