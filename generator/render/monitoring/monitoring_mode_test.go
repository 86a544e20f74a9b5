package monitoring_test

import (
	"bytes"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// A network that never mentions monitoring renders no monitoring object and the same
// cluster kustomizations as a network whose clusters say "none" explicitly.
func TestMonitoringNoneRendersNothing(t *testing.T) {
	besu, fabric := networks(t)
	for _, n := range []*model.Network{besu, fabric} {
		for _, c := range n.Clusters {
			if c.Monitoring.Mode != model.MonitoringNone || c.Monitoring.Namespace != "monitoring" {
				t.Fatalf("%s: cluster %s loads with monitoring %+v, want the schema's default {none monitoring}", n.Name, c.Name, c.Monitoring)
			}
		}
		out := renderTree(t, n)
		for p, data := range out {
			if strings.Contains(p, "/monitoring/") || bytes.Contains(data, []byte("monitoring.coreos.com")) {
				t.Errorf("%s: monitoring rendered with mode none: %s", n.Name, p)
			}
		}
	}
}

// With prometheusOperator every cluster that runs nodes gets monitoring/<cluster>/
// in its party's directory, reconciled through the cluster's kustomization, and the
// party's reconciler may apply the two Prometheus Operator kinds.
func TestPrometheusOperatorRendersPerCluster(t *testing.T) {
	besu, fabric := networks(t)
	for _, n := range []*model.Network{besu, fabric} {
		monitorAll(n, model.MonitoringPrometheusOperator)
		out := renderTree(t, n)
		withNodes := map[string]bool{}
		for _, node := range n.Nodes {
			withNodes[node.Cluster] = true
		}
		for _, c := range n.Clusters {
			dir := monitoringDir(c.Party, c.Name)
			_, has := out[path.Join(dir, "kustomization.yaml")]
			if has != withNodes[c.Name] {
				t.Errorf("%s: cluster %s runs nodes: %v, has %s: %v", n.Name, c.Name, withNodes[c.Name], dir, has)
			}
			if !has {
				continue
			}
			for _, f := range []string{"podmonitor.yaml", "networkpolicy.yaml", "prometheusrule.yaml"} {
				if _, ok := out[path.Join(dir, f)]; !ok {
					t.Errorf("%s: missing %s", dir, f)
				}
			}
			var k types.Kustomization
			entry := path.Join("parties", c.Party, "clusters", c.Name, "kustomization.yaml")
			if err := yaml.Unmarshal(out[entry], &k); err != nil {
				t.Fatal(err)
			}
			want := "../../monitoring/" + c.Name
			found := false
			for _, r := range k.Resources {
				found = found || r == want
			}
			if !found {
				t.Errorf("%s lists %v, not %s", entry, k.Resources, want)
			}
			rbac := string(out[path.Join("clusters", c.Name, "rbac.yaml")])
			for _, kind := range []string{"podmonitors", "prometheusrules"} {
				if !strings.Contains(rbac, "- "+kind) {
					t.Errorf("clusters/%s/rbac.yaml does not let the reconciler manage %s", c.Name, kind)
				}
			}
		}
		// Same network, same bytes.
		again := renderTree(t, n)
		for p, data := range out {
			if !bytes.Equal(again[p], data) {
				t.Errorf("%s renders differently the second time", p)
			}
		}
	}
}

// Monitoring only adds: every file outside monitoring/ is byte for byte what the
// same network renders without it, except the cluster kustomizations (one resource
// more, nothing else changed) and the reconciler's RBAC.
func TestPrometheusOperatorChangesNothingElse(t *testing.T) {
	besu, fabric := networks(t)
	for _, n := range []*model.Network{besu, fabric} {
		before := renderTree(t, n)
		monitorAll(n, model.MonitoringPrometheusOperator)
		after := renderTree(t, n)
		grown := 0
		for p, data := range before {
			if bytes.Equal(after[p], data) {
				continue
			}
			if path.Base(p) != "kustomization.yaml" || path.Base(path.Dir(path.Dir(p))) != "clusters" {
				if !(strings.HasPrefix(p, "clusters/") && path.Base(p) == "rbac.yaml") {
					t.Errorf("%s: %s changed with monitoring on", n.Name, p)
				}
				continue
			}
			var was, is types.Kustomization
			if err := yaml.UnmarshalStrict(data, &was); err != nil {
				t.Fatal(err)
			}
			if err := yaml.UnmarshalStrict(after[p], &is); err != nil {
				t.Fatal(err)
			}
			is.Resources = slices.DeleteFunc(is.Resources, func(r string) bool { return strings.HasPrefix(r, "../../monitoring/") })
			grown++
			if !reflect.DeepEqual(was, is) {
				t.Errorf("%s: %s changed beyond the monitoring resource:\n%s\n---\n%s", n.Name, p, data, after[p])
			}
		}
		if grown == 0 {
			t.Errorf("%s: no cluster kustomization gained its monitoring", n.Name)
		}
		for p := range after {
			if _, ok := before[p]; !ok && !strings.Contains(p, "/monitoring/") {
				t.Errorf("%s: %s appeared outside monitoring/", n.Name, p)
			}
		}
	}
}
