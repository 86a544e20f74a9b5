package besu

import (
	"testing"

	policyv1 "k8s.io/api/policy/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// A cluster's budget lets at most f = ⌊(n−1)/3⌋ of the network's n validators go at
// once (BFT keeps a quorum with f down), and never more than the cluster runs. The
// reference network has 7 validators (f = 2), at most 2 per cluster; one cluster is
// given a third so that the network's f, not the cluster's count, is what binds there.
func TestDisruptionBudgetIsTheNetworksFaultTolerance(t *testing.T) {
	network := reference(t)
	extra := network.Nodes["contoso-validator-1"]
	extra.Name = "contoso-validator-3"
	network.Nodes[extra.Name] = extra
	network.Identities[extra.Name] = network.Identities["contoso-validator-1"]
	validators, inCluster := 0, map[string]int{}
	for _, node := range network.Nodes {
		if node.Role == model.RoleValidator {
			validators++
			inCluster[node.Cluster]++
		}
	}
	f := (validators - 1) / 3
	if f != 2 || inCluster["contoso-aks-weu"] <= f {
		t.Fatalf("%d validators, %d in contoso-aks-weu: the case does not test the bound", validators, inCluster["contoso-aks-weu"])
	}
	seen := 0
	for party, files := range renderNetwork(t, network) {
		for _, cluster := range network.ClustersOf(party) {
			data, ok := files["clusters/"+cluster.Name+"/pdb.yaml"]
			if !ok {
				if inCluster[cluster.Name] > 0 {
					t.Errorf("%s runs %d validators and has no budget", cluster.Name, inCluster[cluster.Name])
				}
				continue
			}
			var pdb policyv1.PodDisruptionBudget
			if err := yaml.UnmarshalStrict(data, &pdb); err != nil {
				t.Fatal(err)
			}
			if got, want := pdb.Spec.MaxUnavailable.IntValue(), min(f, inCluster[cluster.Name]); got != want {
				t.Errorf("%s: maxUnavailable %d, want %d", cluster.Name, got, want)
			}
			seen++
		}
	}
	if seen == 0 {
		t.Fatal("no budget rendered")
	}
}
