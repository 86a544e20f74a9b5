package monitoring_test

import (
	"fmt"
	"path"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// What a monitored cluster reconciles, built with krusty (kubectl kustomize's
// library) as kustomize-controller builds it, holds the cluster's PodMonitor,
// PrometheusRule and metrics NetworkPolicy once each, in the party's namespace.
func TestMonitoredClusterBuildsWithKustomize(t *testing.T) {
	besu, fabric := networks(t)
	for _, n := range []*model.Network{besu, fabric} {
		monitorAll(n, model.MonitoringPrometheusOperator)
		out := renderTree(t, n)
		fs := memoryTree(t, n, out)
		k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
		built := 0
		for _, c := range n.Clusters {
			if out[path.Join(monitoringDir(c.Party, c.Name), "kustomization.yaml")] == nil {
				continue
			}
			res, err := k.Run(fs, path.Join("parties", c.Party, "clusters", c.Name))
			if err != nil {
				t.Fatalf("%s: kustomize build: %v", c.Name, err)
			}
			found := map[string]int{}
			for _, r := range res.Resources() {
				switch r.GetKind() + "/" + r.GetName() {
				case "PodMonitor/" + monitoring.PodMonitorName, "PrometheusRule/" + monitoring.RuleName, "NetworkPolicy/" + monitoring.NetworkPolicyName:
					found[r.GetKind()]++
					if r.GetNamespace() != n.Parties[c.Party].Namespace {
						t.Errorf("%s: %s in namespace %q", c.Name, r.GetKind(), r.GetNamespace())
					}
				}
			}
			if found["PodMonitor"] != 1 || found["PrometheusRule"] != 1 || found["NetworkPolicy"] != 1 {
				t.Errorf("%s: built %v, want one PodMonitor, PrometheusRule and metrics NetworkPolicy", c.Name, found)
			}
			built++
		}
		if built == 0 {
			t.Errorf("%s: no monitored cluster built", n.Name)
		}
	}
}

// memoryTree is the rendered tree in memory, with stand-ins for the sealed Secrets
// flux-ledger keys writes (only their presence matters to a build).
func memoryTree(t *testing.T, n *model.Network, out tree.Tree) filesys.FileSystem {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	for p, data := range out {
		if err := fs.WriteFile(p, data); err != nil {
			t.Fatal(err)
		}
	}
	// The sealed Secrets flux-ledger keys writes: stand-ins, since only their
	// presence matters to the build.
	for p, data := range out {
		if path.Base(p) != "kustomization.yaml" || path.Base(path.Dir(p)) != "secrets" {
			continue
		}
		var k types.Kustomization
		if err := yaml.Unmarshal(data, &k); err != nil {
			t.Fatal(err)
		}
		party := strings.Split(p, "/")[1]
		for _, r := range k.Resources {
			secret := fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: %s\n", strings.TrimSuffix(r, ".yaml"), n.Parties[party].Namespace)
			if err := fs.WriteFile(path.Join(path.Dir(p), r), []byte(secret)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return fs
}
