package besu

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// sparseNetwork loads a synthetic network of n parties with sparse peering of the
// given degree, each party with its own keys.
func sparseNetwork(t *testing.T, n, degree int) *model.Network {
	t.Helper()
	src, err := testenv.SynthNetwork(testenv.SynthOptions{Parties: n, Peering: model.PeeringSparse,
		Recipients: func(string) string {
			id, _ := testenv.AgeKey(t)
			return id.Recipient().String()
		},
		Edit: func(network map[string]any) {
			network["peering"].(map[string]any)["degree"] = degree
		}})
	if err != nil {
		t.Fatal(err)
	}
	repo := testenv.Repo(t, string(src))
	if _, err := keys.Init(repo, keys.InitOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	return result.Network
}

// With sparse peering a party's static nodes are its own nodes and those of some
// other parties, and each node it lists admits it: the listed node's party lists it
// back, and the listed node's p2p exposure (NetworkPolicy and load balancer source
// ranges, or the gateway's source ranges) admits the listing party's egress. A node
// not listed admits none of it: what one side dials, the other admits, and nothing
// more.
func TestSparsePeeringAdmitsExactlyWhoDials(t *testing.T) {
	network := sparseNetwork(t, 30, 2)
	parties := renderNetwork(t, network)
	byEnode := map[string]string{}
	for name := range network.Nodes {
		byEnode[Enode(network.Nodes[name], network.Identities[name])] = name
	}
	// listed[P] are the parties whose nodes P's nodes dial.
	listed := map[string]map[string]bool{}
	for party, files := range parties {
		var cm corev1.ConfigMap
		if err := yaml.UnmarshalStrict(files["shared/peers.yaml"], &cm); err != nil {
			t.Fatal(err)
		}
		var enodes []string
		if err := json.Unmarshal([]byte(cm.Data[StaticNodesFile]), &enodes); err != nil {
			t.Fatal(err)
		}
		listed[party] = map[string]bool{}
		for _, enode := range enodes {
			name, ok := byEnode[enode]
			if !ok {
				t.Fatalf("%s lists %s, no node's enode", party, enode)
			}
			listed[party][network.Nodes[name].Party] = true
		}
		for _, node := range network.NodesByParty()[party] {
			if !slices.Contains(enodes, Enode(node, network.Identities[node.Name])) {
				t.Errorf("%s does not list its own node %s", party, node.Name)
			}
		}
		if len(enodes) >= len(network.Nodes) {
			t.Errorf("%s lists %d of the network's %d nodes: not sparse", party, len(enodes), len(network.Nodes))
		}
	}
	egressOf := func(party string) []string {
		var out []string
		for _, c := range network.ClustersOf(party) {
			out = append(out, c.EgressCIDRs...)
		}
		return out
	}
	nodes := map[string]rendered{}
	for party, files := range parties {
		for _, node := range network.NodesByParty()[party] {
			nodes[node.Name] = decodeNode(t, files["nodes/"+node.Name+"/"+NodeFile])
		}
	}
	admitted := 0
	for dialer := range listed {
		for _, name := range network.NodeNames() {
			node := network.Nodes[name]
			if node.Party == dialer {
				continue
			}
			dials := listed[dialer][node.Party]
			if dials != listed[node.Party][dialer] {
				t.Fatalf("%s dials %s: %v, but %s dials %s: %v; links must go both ways", dialer, node.Party, dials, node.Party, dialer, !dials)
			}
			cluster := network.Clusters[node.Cluster]
			var sources []string
			if cluster.Exposure.Mode == model.ExposeLoadBalancer {
				for _, peer := range nodes[name].policy.Spec.Ingress[0].From {
					if peer.IPBlock != nil {
						sources = append(sources, peer.IPBlock.CIDR)
					}
				}
				for _, svc := range nodes[name].services {
					if svc.Spec.Type == corev1.ServiceTypeLoadBalancer && !slices.Equal(svc.Spec.LoadBalancerSourceRanges, sources) {
						t.Errorf("%s: load balancer admits %v, its NetworkPolicy %v", name, svc.Spec.LoadBalancerSourceRanges, sources)
					}
				}
			} else {
				var gw corev1.ConfigMap
				data := parties[node.Party]["clusters/"+cluster.Name+"/p2p-gateway.yaml"]
				if err := yaml.UnmarshalStrict(data, &gw); err != nil {
					t.Fatalf("%s: %v", cluster.Name, err)
				}
				sources = strings.Fields(gw.Data["sourceRanges"])
			}
			for _, cidr := range egressOf(dialer) {
				// The synthetic clusters' egress CIDRs are all distinct.
				if slices.Contains(sources, cidr) != dials {
					t.Errorf("%s (%s) admits %s of %s: %v, but %s dials it: %v", name, cluster.Exposure.Mode, cidr, dialer, !dials, dialer, dials)
				}
			}
			if dials {
				admitted++
			}
		}
	}
	if admitted == 0 {
		t.Fatal("no party dials another")
	}
}
