package monitoring_test

import (
	"bytes"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
)

// With azureMonitor every cluster that runs nodes gets the addon's own PodMonitor
// (azmonitoring.coreos.com/v1, with the label limits its template asks for, scheme
// spelled as its CRD's enum spells it) and a NetworkPolicy admitting only the
// addon's collectors (kube-system, rsName=ama-metrics:
// Azure/prometheus-collector otelcollector/deploy/addon-chart/azure-monitor-metrics-addon/
// templates/ama-metrics-deployment.yaml), no PrometheusRule (Azure evaluates the
// rules), the dashboards, and the reconciler may apply the addon's PodMonitors only.
func TestAzureMonitorRendersAddonObjects(t *testing.T) {
	besu, fabric := networks(t)
	checked := 0
	for _, n := range []*model.Network{besu, fabric} {
		azure := monitorAzure(n)
		out := renderTree(t, n)
		withNodes := map[string]bool{}
		for _, node := range n.Nodes {
			withNodes[node.Cluster] = azure[node.Cluster]
		}
		for _, c := range n.Clusters {
			dir := monitoringDir(c.Party, c.Name)
			if _, has := out[path.Join(dir, "kustomization.yaml")]; has != withNodes[c.Name] {
				t.Fatalf("%s: cluster %s runs nodes: %v, has %s: %v", n.Name, c.Name, withNodes[c.Name], dir, has)
			}
			if !withNodes[c.Name] {
				continue
			}
			checked++
			if _, ok := out[path.Join(dir, "prometheusrule.yaml")]; ok {
				t.Errorf("%s: a PrometheusRule nothing in the cluster evaluates", dir)
			}
			for _, f := range []string{"dashboard-network.yaml", "dashboard-node.yaml", "dashboard-consensus.yaml"} {
				if _, ok := out[path.Join(dir, f)]; !ok {
					t.Errorf("%s: missing %s", dir, f)
				}
			}
			var pm monitoringv1.PodMonitor
			if err := yaml.UnmarshalStrict(out[path.Join(dir, "podmonitor.yaml")], &pm); err != nil {
				t.Fatal(err)
			}
			if pm.APIVersion != "azmonitoring.coreos.com/v1" || pm.Kind != "PodMonitor" {
				t.Errorf("%s: PodMonitor is %s %s", dir, pm.APIVersion, pm.Kind)
			}
			// otelcollector/customresources/pod-monitor-template.yaml
			if pm.Spec.LabelLimit == nil || *pm.Spec.LabelLimit != 63 || pm.Spec.LabelNameLengthLimit == nil || *pm.Spec.LabelNameLengthLimit != 511 ||
				pm.Spec.LabelValueLengthLimit == nil || *pm.Spec.LabelValueLengthLimit != 1023 {
				t.Errorf("%s: label limits %v %v %v, want 63 511 1023", dir, pm.Spec.LabelLimit, pm.Spec.LabelNameLengthLimit, pm.Spec.LabelValueLengthLimit)
			}
			for _, ep := range pm.Spec.PodMetricsEndpoints {
				// The addon's CRD (templates/ama-metrics-podmonitor-crd.yaml): enum http, https.
				if ep.Scheme == nil || (*ep.Scheme != "http" && *ep.Scheme != "https") {
					t.Errorf("%s: scheme %v is outside the addon CRD's enum", dir, ep.Scheme)
				}
			}
			var np networkingv1.NetworkPolicy
			if err := yaml.UnmarshalStrict(out[path.Join(dir, "networkpolicy.yaml")], &np); err != nil {
				t.Fatal(err)
			}
			from := np.Spec.Ingress[0].From
			if len(from) != 1 || from[0].NamespaceSelector == nil || from[0].PodSelector == nil ||
				!reflect.DeepEqual(from[0].NamespaceSelector.MatchLabels, map[string]string{"kubernetes.io/metadata.name": "kube-system"}) ||
				!reflect.DeepEqual(from[0].PodSelector.MatchLabels, map[string]string{"rsName": "ama-metrics"}) {
				t.Errorf("%s: NetworkPolicy admits %+v, want the ama-metrics pods of kube-system only", dir, from)
			}
			rbac := string(out[path.Join("clusters", c.Name, "rbac.yaml")])
			if !strings.Contains(rbac, "- azmonitoring.coreos.com") || strings.Contains(rbac, "- monitoring.coreos.com") || strings.Contains(rbac, "prometheusrules") {
				t.Errorf("clusters/%s/rbac.yaml: want the addon's podmonitors only:\n%s", c.Name, rbac)
			}
			if _, ok := out[path.Join("clusters", c.Name, "arc", "prometheusrulegroups.bicep")]; !ok {
				t.Errorf("cluster %s: no rule groups", c.Name)
			}
		}
	}
	// Same network, same bytes.
	again := renderTree(t, fabric)
	for p, data := range renderTree(t, fabric) {
		if !bytes.Equal(again[p], data) {
			t.Errorf("%s renders differently the second time", p)
		}
	}
	if checked < 5 {
		t.Errorf("%d azureMonitor clusters with nodes checked, want the 4 Besu and at least one Fabric", checked)
	}
}

// Azure's rule groups carry the cluster's PrometheusRule alerts, less the one whose
// series the addon does not collect, within the limits of the rule group resource
// (Azure/prometheus-collector tools/az-prom-rules-converter/dist/schemas/azure/
// azure-prometheus-rule-group.json: 1 to 20 rules, ISO 8601 durations, severity 0 to
// 4), with the defaults of Microsoft's converter (interval PT1M; resolve after PT10M).
func TestAzureRuleGroupsCarryTheAlerts(t *testing.T) {
	besu, fabric := networks(t)
	for _, n := range []*model.Network{besu, fabric} {
		azure := monitorAzure(n)
		for _, c := range n.Clusters {
			if !azure[c.Name] {
				continue
			}
			party := n.Parties[c.Party]
			var nodes []model.Node
			for _, node := range n.Nodes {
				if node.Cluster == c.Name {
					nodes = append(nodes, node)
				}
			}
			if len(nodes) == 0 {
				continue
			}
			rule, err := monitoring.PrometheusRule(n, peering.Of(n), party, c, nodes)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, r := range rule.Spec.Groups[0].Rules {
				if r.Alert != "LedgerKustomizationNotReady" {
					want = append(want, r.Alert)
				}
			}
			groups, err := monitoring.RuleGroups(n, peering.Of(n), party, c, nodes, "aks-name")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, g := range groups {
				rules := g.Properties["rules"].([]any)
				if len(rules) < 1 || len(rules) > 20 {
					t.Errorf("%s: %d rules", g.Name, len(rules))
				}
				if g.Properties["interval"] != "PT1M" || g.Properties["clusterName"] != "aks-name" || g.Properties["enabled"] != true {
					t.Errorf("%s: properties %v", g.Name, g.Properties)
				}
				for _, r := range rules {
					r := r.(map[string]any)
					got = append(got, r["alert"].(string))
					switch r["alert"] {
					case "LedgerNodeDown":
						if r["for"] != "PT5M" || r["severity"] != 0 || !strings.HasPrefix(r["expression"].(string), `up{job="`+party.Namespace+`/ledger-nodes"`) {
							t.Errorf("LedgerNodeDown as %v", r)
						}
					case "LedgerPodRestarting":
						if _, has := r["for"]; has || r["severity"] != 2 {
							t.Errorf("LedgerPodRestarting as %v", r)
						}
					}
					if !reflect.DeepEqual(r["resolveConfiguration"], map[string]any{"autoResolved": true, "timeToResolve": "PT10M"}) {
						t.Errorf("%s: resolve %v", r["alert"], r["resolveConfiguration"])
					}
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s/%s: rule groups carry %v, want %v", n.Name, c.Name, got, want)
			}
			if n.IsFabric() && len(want) > 20 && len(groups) < 2 {
				t.Errorf("%d rules in %d group", len(want), len(groups))
			}
		}
	}
}

// create.sh installs the addon the way each kind of cluster takes it, sending to the
// cluster's workspace, and then deploys the rule groups; bash runs it with a stub az
// that records every call. Arc: az k8s-extension create --extension-type
// Microsoft.AzureMonitor.Containers.Metrics --configuration-settings
// azure-monitor-workspace-resource-id=<id> (MicrosoftDocs/azure-docs,
// articles/azure-monitor/containers/prometheus-metrics-from-arc-enabled-cluster.md);
// AKS: az aks update --enable-azure-monitor-metrics --azure-monitor-workspace-resource-id
// <id> (azure-cli, command_modules/acs/_help.py).
func TestAzureMonitorScriptInstallsTheAddon(t *testing.T) {
	besu, _ := networks(t)
	monitorAzure(besu)
	out := renderTree(t, besu)
	for _, c := range besu.Clusters {
		calls := runRecordingAz(t, out[path.Join("clusters", c.Name, "arc", "create.sh")])
		if len(calls) != 3 || !strings.HasPrefix(calls[0], "k8s-configuration flux create ") {
			t.Fatalf("%s: az called %q", c.Name, calls)
		}
		arc := c.GitOps.Arc
		want := "k8s-extension create --resource-group " + arc.ResourceGroup + " --cluster-name " + arc.ClusterName +
			" --cluster-type connectedClusters --name azuremonitor-metrics --extension-type Microsoft.AzureMonitor.Containers.Metrics" +
			" --configuration-settings azure-monitor-workspace-resource-id=" + testWorkspace
		if arc.ClusterKind == "managedClusters" {
			want = "aks update --resource-group " + arc.ResourceGroup + " --name " + arc.ClusterName +
				" --enable-azure-monitor-metrics --azure-monitor-workspace-resource-id " + testWorkspace
		}
		if calls[1] != want {
			t.Errorf("%s:\n got %s\nwant %s", c.Name, calls[1], want)
		}
		// The template path is the script's sibling wherever it is run from.
		if !strings.HasPrefix(calls[2], "deployment group create --resource-group "+arc.ResourceGroup+" --template-file /") ||
			!strings.HasSuffix(calls[2], "/prometheusrulegroups.bicep") {
			t.Errorf("%s: rule groups deployed with %q", c.Name, calls[2])
		}
	}
}

// runRecordingAz runs a create.sh under bash, from another directory, with an az on
// PATH that appends each call's argv (space-joined) as one line.
func runRecordingAz(t *testing.T, script []byte) []string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.MkdirAll(filepath.Join(dir, "arc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	stub := "#!/usr/bin/env bash\necho \"$*\" >> \"$AZ_CALLS\"\n"
	if err := os.WriteFile(filepath.Join(bin, "az"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	script = bytes.ReplaceAll(script, []byte("\r"), nil)
	if err := os.WriteFile(filepath.Join(dir, "arc", "create.sh"), script, 0o755); err != nil {
		t.Fatal(err)
	}
	record := filepath.Join(dir, "calls")
	cmd := exec.Command("bash", filepath.Join(dir, "arc", "create.sh"))
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "AZ_CALLS="+record)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bash create.sh: %v\n%s", err, out)
	}
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// The Bicep of the reference network's AKS cluster is kept under testdata/, so a
// change to the rule groups shows in review (go test -run TestAzureRuleGroupsGolden
// -update, then review the diff).
func TestAzureRuleGroupsGolden(t *testing.T) {
	besu, _ := networks(t)
	monitorAzure(besu)
	out := renderTree(t, besu)
	for _, f := range []string{"prometheusrulegroups.bicep", "create.sh"} {
		got := out[path.Join("clusters", "contoso-aks-weu", "arc", f)]
		golden := filepath.Join("testdata", "azure", "contoso-aks-weu_"+f)
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s", f, golden)
		}
	}
}

// A cluster Azure does not know (gitops mode flux), or one without a workspace,
// cannot use azureMonitor: generate says which field, on one line.
func TestAzureMonitorRefusals(t *testing.T) {
	for name, edit := range map[string]func(*model.Cluster){
		"gitops.mode":          func(c *model.Cluster) { c.GitOps.Mode, c.GitOps.Arc = model.ModeFlux, nil },
		"monitoring.workspace": func(c *model.Cluster) { c.Monitoring.Workspace = "" },
	} {
		besu, _ := networks(t)
		monitorAzure(besu)
		c := besu.Clusters["contoso-aks-weu"]
		edit(&c)
		besu.Clusters["contoso-aks-weu"] = c
		_, err := render.Render(besu)
		if err == nil {
			t.Fatalf("%s: rendered", name)
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "clusters.contoso-aks-weu.") || !strings.Contains(msg, name) {
			t.Errorf("%s: error %q, want one line naming clusters.contoso-aks-weu and %s", name, msg, name)
		}
	}
}

// azureMonitor only adds: outside monitoring/, the cluster kustomizations, the
// reconciler's RBAC and the Arc files, everything is what mode none renders.
func TestAzureMonitorChangesNothingElse(t *testing.T) {
	besu, _ := networks(t)
	before := renderTree(t, besu)
	monitorAzure(besu)
	after := renderTree(t, besu)
	for p, data := range before {
		if bytes.Equal(after[p], data) {
			continue
		}
		allowed := path.Base(p) == "rbac.yaml" || path.Base(p) == "create.sh" ||
			(path.Base(p) == "kustomization.yaml" && path.Base(path.Dir(path.Dir(p))) == "clusters")
		if !allowed {
			t.Errorf("%s changed with azureMonitor on", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok && !strings.Contains(p, "/monitoring/") && path.Base(p) != "prometheusrulegroups.bicep" {
			t.Errorf("%s appeared", p)
		}
	}
}
