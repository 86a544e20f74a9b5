// Package peering decides which nodes of a Besu network dial each other: with mode
// "mesh" every node every other node, with "sparse" each party's nodes those of a few
// linked parties (cue/schema/besu.cue, #Peering). The renderer (each party's
// static-nodes list, the p2p NetworkPolicy and load balancer source ranges) and the
// monitoring rules (how many peers a node should hold) read the same Graph, so what a
// node is told to dial, what admits it and what is alerted on agree.
//
// A full mesh grows as the square of the network: at 3,000 parties of four nodes the
// list every node carries is 2 MB, over what one ConfigMap holds, and every node would
// keep 11,999 connections. Sparse peering bounds both by the degree. It stays correct
// for consensus because Besu's validators relay every BFT message they accept to the
// validators they are connected to, but its sender and author (24.12.2:
// consensus/common/.../bft/statemachine/BaseBftController.consumeMessage calls
// gossiper.send, and consensus/qbft/.../QbftGossip.send multicasts to the validator
// peers): the validators need only be connected, which the graph guarantees for the
// parties that run validators among themselves.
package peering

import (
	"crypto/sha256"
	"encoding/binary"
	"maps"
	"slices"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// DefaultDegree is the schema's default number of links a party chooses.
const DefaultDegree = 8

// Graph is who peers with whom in one network.
type Graph struct {
	mesh bool
	// links are each party's linked parties, sorted (sparse only).
	links           map[string][]string
	nodesByParty    map[string][]model.Node
	clustersByParty map[string][]model.Cluster
	// every node's name and every cluster's egress CIDRs, for mesh peering.
	allNodes  []string
	allEgress []string
}

// Of computes the network's peering graph. On a network without Besu peering
// settings (Fabric, or a model built without the schema's defaults) it is the mesh.
func Of(network *model.Network) *Graph {
	g := &Graph{
		mesh:            network.Peering.Mode != model.PeeringSparse,
		nodesByParty:    network.NodesByParty(),
		clustersByParty: network.ClustersByParty(),
	}
	if g.mesh {
		g.allNodes = network.NodeNames()
		g.allEgress = network.EgressCIDRs()
		return g
	}
	degree := network.Peering.Degree
	if degree < 1 {
		degree = DefaultDegree
	}
	var withNodes, withValidators []string
	for _, party := range network.PartyNames() {
		nodes := g.nodesByParty[party]
		if len(nodes) == 0 {
			// A party without nodes relays nothing: linking to it would cut a link.
			continue
		}
		withNodes = append(withNodes, party)
		if slices.ContainsFunc(nodes, model.Node.IsValidator) {
			withValidators = append(withValidators, party)
		}
	}
	adjacent := map[string]map[string]bool{}
	link := func(a, b string) {
		for _, pair := range [2][2]string{{a, b}, {b, a}} {
			if adjacent[pair[0]] == nil {
				adjacent[pair[0]] = map[string]bool{}
			}
			adjacent[pair[0]][pair[1]] = true
		}
	}
	// Every party is linked to its nearest parties, and every party that runs
	// validators to its nearest such parties too: the validators relay consensus
	// messages only among themselves, so they must be connected without the others.
	hashes := make(map[string]uint64, len(withNodes))
	for _, party := range withNodes {
		hashes[party] = nameHash(party)
	}
	for _, members := range [][]string{withNodes, withValidators} {
		hashed := make([]uint64, len(members))
		for i, m := range members {
			hashed[i] = hashes[m]
		}
		for i, party := range members {
			for _, other := range nearest(i, members, hashed, degree) {
				link(party, other)
			}
		}
		connect(members, adjacent, link)
	}
	g.links = make(map[string][]string, len(adjacent))
	for party, others := range adjacent {
		g.links[party] = slices.Sorted(maps.Keys(others))
	}
	return g
}

// Mesh reports whether every node dials every other node.
func (g *Graph) Mesh() bool { return g.mesh }

// Links returns the parties, other than party, whose nodes party's nodes dial, in
// ascending order (sparse peering; nil with mesh peering, where it is every party).
func (g *Graph) Links(party string) []string { return g.links[party] }

// Nodes returns the names of the nodes party's nodes list as static nodes, in
// ascending order: every node of the network (mesh), or the party's own and those of
// its linked parties (sparse). A node's own name is in its list: Besu skips itself.
// The slice is shared; callers must not modify it.
func (g *Graph) Nodes(party string) []string {
	if g.mesh {
		return g.allNodes
	}
	var names []string
	for _, p := range append([]string{party}, g.links[party]...) {
		for _, node := range g.nodesByParty[p] {
			names = append(names, node.Name)
		}
	}
	slices.Sort(names)
	return names
}

// Sources returns the egress CIDRs party's p2p exposure admits, sorted and without
// duplicates: every cluster's (mesh), or those of the party's own clusters and of its
// linked parties' clusters (sparse), the only places its peers dial from. The slice
// may be shared; callers must not modify it.
func (g *Graph) Sources(party string) []string {
	if g.mesh {
		return g.allEgress
	}
	var clusters []model.Cluster
	for _, p := range append([]string{party}, g.links[party]...) {
		clusters = append(clusters, g.clustersByParty[p]...)
	}
	return model.EgressOf(slices.Values(clusters))
}

// nearest returns the k members nearest to members[self]: those whose pair with it
// has the smallest score. The score depends on the two names only (hashes holds each
// member's nameHash), so a party's choice changes only when a nearer party joins or a
// chosen one leaves.
func nearest(self int, members []string, hashes []uint64, k int) []string {
	type scored struct {
		score uint64
		name  string
	}
	best := make([]scored, 0, k+1)
	for i, other := range members {
		if i == self {
			continue
		}
		s := scored{pairScore(hashes[self], hashes[i]), other}
		if len(best) == k && !less(s.score, s.name, best[k-1].score, best[k-1].name) {
			continue
		}
		i, _ := slices.BinarySearchFunc(best, s, func(a, b scored) int {
			if less(a.score, a.name, b.score, b.name) {
				return -1
			}
			return 1
		})
		best = slices.Insert(best, i, s)
		if len(best) > k {
			best = best[:k]
		}
	}
	out := make([]string, len(best))
	for i, s := range best {
		out[i] = s.name
	}
	return out
}

func less(scoreA uint64, nameA string, scoreB uint64, nameB string) bool {
	return scoreA < scoreB || scoreA == scoreB && nameA < nameB
}

// nameHash is the first 64 bits of a name's SHA-256.
func nameHash(name string) uint64 {
	sum := sha256.Sum256([]byte(name))
	return binary.BigEndian.Uint64(sum[:8])
}

// pairScore is symmetric in its arguments and spreads the pairs uniformly: the XOR of
// the two names' hashes through SplitMix64's finaliser (Steele, Lea and Flood, "Fast
// splittable pseudorandom number generators", OOPSLA 2014). Without the finaliser the
// XOR itself would make parties whose hashes share a prefix prefer each other, and
// the graph would fall into clusters.
func pairScore(a, b uint64) uint64 {
	z := a ^ b
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// connect links the members' connected components (over links between members only)
// into one: each component's first member to the next component's, in member order.
// Nearest-neighbour graphs are connected with overwhelming probability, but a network
// must never be split by chance.
func connect(members []string, adjacent map[string]map[string]bool, link func(a, b string)) {
	seen := map[string]bool{}
	inMembers := make(map[string]bool, len(members))
	for _, m := range members {
		inMembers[m] = true
	}
	var firsts []string
	for _, start := range members {
		if seen[start] {
			continue
		}
		firsts = append(firsts, start)
		seen[start] = true
		for queue := []string{start}; len(queue) > 0; queue = queue[1:] {
			for other := range adjacent[queue[0]] {
				if inMembers[other] && !seen[other] {
					seen[other] = true
					queue = append(queue, other)
				}
			}
		}
	}
	for i := 1; i < len(firsts); i++ {
		link(firsts[i-1], firsts[i])
	}
}
