package monitoring_test

import (
	"bytes"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

var (
	loadOnce           sync.Once
	besuJSON, fabricJS []byte
	loadErr            error
)

// networks loads the Besu reference network (cue/) and the Fabric one
// (examples/fabric, with every party's MSP and node certificates issued as `keys
// init` would), once; each call returns fresh copies the test may change.
func networks(t *testing.T) (besu, fabric *model.Network) {
	t.Helper()
	loadOnce.Do(func() {
		var r *load.Result
		if r, loadErr = load.Network(filepath.Join(testenv.RepoRoot(t), "cue")); loadErr != nil {
			return
		}
		if besuJSON, loadErr = yaml.Marshal(r.Network); loadErr != nil {
			return
		}
		if r, loadErr = load.Network(testenv.Module(t, map[string]string{"network.cue": testenv.FabricExample(t)})); loadErr != nil {
			return
		}
		if loadErr = testenv.IssueFabricIdentities(r.Network); loadErr != nil {
			return
		}
		fabricJS, loadErr = yaml.Marshal(r.Network)
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	besu, fabric = &model.Network{}, &model.Network{}
	if err := yaml.Unmarshal(besuJSON, besu); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(fabricJS, fabric); err != nil {
		t.Fatal(err)
	}
	return besu, fabric
}

// testWorkspace is the Azure Monitor workspace azureMonitor clusters send to in tests.
const testWorkspace = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/tradenet-monitoring/providers/Microsoft.Monitor/accounts/tradenet-amw"

// monitorAll sets every cluster of the network to the monitoring mode.
func monitorAll(n *model.Network, mode string) {
	for name, c := range n.Clusters {
		c.Monitoring = model.Monitoring{Mode: mode, Namespace: "monitoring"}
		n.Clusters[name] = c
	}
}

// monitorAzure sets every cluster Azure knows (gitops mode arc) to azureMonitor,
// sending to testWorkspace, and returns their names; the others stay as they were.
func monitorAzure(n *model.Network) map[string]bool {
	azure := map[string]bool{}
	for name, c := range n.Clusters {
		if c.GitOps.Mode != model.ModeArc {
			continue
		}
		c.Monitoring = model.Monitoring{Mode: model.MonitoringAzureMonitor, Namespace: "monitoring", Workspace: testWorkspace}
		n.Clusters[name] = c
		azure[name] = true
	}
	return azure
}

// renderTree renders the whole desired tree, as generate would write it.
func renderTree(t *testing.T, n *model.Network) tree.Tree {
	t.Helper()
	out, err := render.Render(n)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// monitoringDir is where a cluster's monitoring lands in the tree.
func monitoringDir(party, cluster string) string {
	return path.Join("parties", party, monitoring.Dir, cluster)
}

// ruleFiles decodes every rendered PrometheusRule of the tree, by path.
func ruleFiles(t *testing.T, out tree.Tree) map[string]*monitoringv1.PrometheusRule {
	t.Helper()
	rules := map[string]*monitoringv1.PrometheusRule{}
	for p, data := range out {
		if path.Base(p) != "prometheusrule.yaml" || !strings.Contains(p, "/"+monitoring.Dir+"/") {
			continue
		}
		var r monitoringv1.PrometheusRule
		if err := yaml.UnmarshalStrict(data, &r); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		rules[p] = &r
	}
	return rules
}

// documents splits a YAML stream into its documents.
func documents(data []byte) [][]byte {
	var out [][]byte
	for _, doc := range bytes.Split(data, []byte("\n---\n")) {
		if len(bytes.TrimSpace(doc)) > 0 {
			out = append(out, doc)
		}
	}
	return out
}
