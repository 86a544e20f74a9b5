package monitoring_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
)

// A node holds a connection to each other node of its static-nodes list: every node
// of the network with mesh peering, its own party's and its linked parties' with
// sparse peering (package peering). LedgerPeersBelowTopology fires below that count,
// not below the network's size, or a sparse network would alert forever.
func TestPeersAlertExpectsTheNodesStaticList(t *testing.T) {
	besu, _ := networks(t)
	besu.Peering = model.Peering{Mode: model.PeeringSparse, Degree: 2}
	topology := peering.Of(besu)
	byParty := besu.NodesByParty()
	belowMesh := 0
	for _, party := range besu.PartyNames() {
		want := len(byParty[party]) - 1
		for _, other := range topology.Links(party) {
			want += len(byParty[other])
		}
		if want < len(besu.Nodes)-1 {
			belowMesh++
		}
		for _, cluster := range besu.ClustersOf(party) {
			var nodes []model.Node
			for _, n := range byParty[party] {
				if n.Cluster == cluster.Name {
					nodes = append(nodes, n)
				}
			}
			if len(nodes) == 0 {
				continue
			}
			r, err := monitoring.PrometheusRule(besu, topology, besu.Parties[party], cluster, nodes)
			if err != nil {
				t.Fatal(err)
			}
			rule := ruleNamed(r, "LedgerPeersBelowTopology")
			if rule == nil {
				t.Fatalf("%s: no LedgerPeersBelowTopology", cluster.Name)
			}
			if suffix := fmt.Sprintf(" < %d", want); !strings.HasSuffix(rule.Expr.String(), suffix) {
				t.Errorf("%s: %s, want it to end in %q", cluster.Name, rule.Expr.String(), suffix)
			}
		}
	}
	if belowMesh == 0 {
		t.Fatal("with degree 2 no party of the reference network lists fewer nodes than the mesh: the test proves nothing")
	}
}
