package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
)

// topologyMeaning says what three topology edits do beyond their files, and to whom:
// a node moving to another cluster of its party (it starts over there, empty), a
// cluster reached another way (every other party's peer lists and firewalls follow),
// and a cluster's traffic coming from other addresses (every other party admits it
// from there).
func (p *Plan) topologyMeaning(base, head *model.Network) {
	say := func(format string, args ...any) {
		p.Consequences = append(p.Consequences, fmt.Sprintf(format, args...))
	}
	for _, name := range head.NodeNames() {
		was, ok := base.Nodes[name]
		now := head.Nodes[name]
		if !ok || was.Cluster == now.Cluster || was.Party != now.Party {
			continue // a new node, or one changing hands (refused elsewhere)
		}
		down := "it serves nothing"
		switch now.Role {
		case model.RoleValidator:
			down = "the chain has one validator fewer"
		case model.RoleOrderer:
			down = "its channels have one consenter fewer"
		case model.RolePeer:
			down = "its organisation endorses through its other peers only"
		case model.RoleRPC:
			down = "its party reads the chain through its other RPC nodes only"
		}
		say("node %s (%s of %s) moves from cluster %s to %s: Flux removes it from %s and starts it in %s with an empty volume, which syncs from its peers with the same key; until it has, %s. Before merging, %s needs the node's storage class (%s) and its exposure (%s) ready; move one such node at a time",
			name, now.Role, now.Party, was.Cluster, now.Cluster, was.Cluster, now.Cluster, down, now.Cluster, storageClassOf(head, now), head.Clusters[now.Cluster].Exposure.Mode)
	}
	topology := peering.Of(head)
	for _, name := range head.ClusterNames() {
		was, ok := base.Clusters[name]
		now := head.Clusters[name]
		if !ok {
			continue
		}
		others := dialers(head, topology, now.Party)
		if was.Exposure != now.Exposure {
			var moved []string
			for _, node := range head.NodeNames() {
				b, h := base.Nodes[node], head.Nodes[node]
				if h.Cluster == name && b.Endpoint != h.Endpoint && b.Endpoint.Host != "" {
					moved = append(moved, fmt.Sprintf("%s %s:%d → %s:%d", node, b.Endpoint.Host, b.Endpoint.Port, h.Endpoint.Host, h.Endpoint.Port))
				}
			}
			addresses := "its nodes keep their addresses"
			if len(moved) > 0 {
				addresses = "its nodes move (" + strings.Join(moved, "; ") + "), and the peer lists of " + strings.Join(others, ", ") + " follow on their next reconcile: their nodes reconnect there, and reach nothing until the new address resolves"
			}
			say("cluster %s of party %s is exposed by %s instead of %s: %s", name, now.Party, describeExposure(now.Exposure), describeExposure(was.Exposure), addresses)
		}
		if added, removed := setDiff(was.EgressCIDRs, now.EgressCIDRs); len(added)+len(removed) > 0 {
			say("cluster %s of party %s connects out from other addresses (egress %s): the NetworkPolicies and load balancer source ranges of %s admit its nodes from the new ranges once they apply; connections from a range they do not admit yet are refused, so each of them should apply before %s's traffic moves",
				name, now.Party, addedRemoved(added, removed), strings.Join(others, ", "), now.Party)
		}
	}
}

func storageClassOf(network *model.Network, node model.Node) string {
	if node.Storage.Class != "" {
		return node.Storage.Class
	}
	if c := network.Clusters[node.Cluster].Storage.Class; c != "" {
		return c
	}
	return "the cluster's default"
}

func describeExposure(e model.Exposure) string {
	s := e.Mode
	if e.DNSSuffix != "" {
		s += " under " + e.DNSSuffix
	}
	if e.Host != "" {
		s += " at " + e.Host
	}
	return s
}

// dialers are the parties whose nodes dial party's: every other party, or with
// sparse peering the parties it is linked to (or "no other party").
func dialers(network *model.Network, topology *peering.Graph, party string) []string {
	others := topology.Links(party)
	if topology.Mesh() {
		others = slices.DeleteFunc(network.PartyNames(), func(p string) bool { return p == party })
	}
	if len(others) == 0 {
		return []string{"no other party"}
	}
	return others
}
