// Package graph is the network's topology as a picture, built from the model alone:
// parties, their clusters (provider and region), the nodes of each cluster by role with
// the validators marked, and the p2p links between clusters through each cluster's
// exposure. One Graph feeds three thin writers — SVG, Mermaid and DOT — and every list
// in it is sorted, so the same network always gives the same bytes.
//
// A Fabric network adds its channels: each channel is drawn linked to its consenters
// (orderer nodes) and to the peers of its member parties.
//
// Large networks are summarised rather than drawn box by box: above NodeDetailLimit
// nodes a cluster shows how many nodes of each role it runs, and above MeshLimit
// clusters the p2p links meet in one hub instead of joining every pair of clusters.
package graph

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Thresholds of the summarised picture (see the package comment). 60 nodes is 15
// parties of four nodes: one box per node is still readable. Six clusters joined
// pairwise are 15 links; seven would be 21, past what a reader follows.
const (
	NodeDetailLimit = 60
	MeshLimit       = 6
)

// Detail levels of Options.Detail.
const (
	DetailAuto    = "auto"
	DetailNodes   = "nodes"
	DetailSummary = "summary"
)

// Change marks of entities in a plan's picture.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
)

// Graph is the topology to draw.
type Graph struct {
	Network   string
	Platform  string
	Consensus string
	// Summary: clusters show role counts instead of one box per node.
	Summary bool
	// Mesh: Links join every pair of clusters with nodes. Otherwise Links is empty and
	// every cluster links to one hub: every node still peers with every other.
	Mesh    bool
	Parties []Party
	Links   []Link
	// Channels are a Fabric network's channels, in name order (none on Besu).
	Channels []Channel
	Totals   Counts
	// Omitted counts the parties left out by Focus.
	Omitted int
}

// Party is one party and its clusters, in name order.
type Party struct {
	Name        string
	DisplayName string
	Change      string
	Clusters    []Cluster
}

// Cluster is one cluster: where it runs, how peers reach it, and its nodes.
type Cluster struct {
	Name     string
	Party    string
	Provider string
	Region   string
	// Exposure is the mode; Entry is where other clusters' nodes dial its nodes.
	Exposure string
	Entry    string
	Change   string
	Nodes    []Node
	// Roles count the nodes by role (validators first): what a summary shows.
	Roles []RoleCount
}

// Node is one ledger node.
type Node struct {
	Name      string
	Role      string
	Validator bool
	Endpoint  string
	Change    string
}

// Channel is a Fabric channel: its member parties, its consenters (orderer nodes) and
// its chaincodes, each in name order.
type Channel struct {
	Name       string
	Members    []string
	Consenters []string
	Chaincodes []string
}

// RoleCount is how many nodes of a role a cluster runs.
type RoleCount struct {
	Role  string
	Count int
}

// Link is a p2p link between two clusters (From < To): their nodes dial each other.
type Link struct {
	From, To string
	Change   string
}

// Counts are the totals a picture's title states.
type Counts struct {
	Parties, Clusters, Nodes, Validators int
	// Orderers and Peers count a Fabric network's nodes by role.
	Orderers, Peers int
}

// Options shape the picture.
type Options struct {
	// Detail is auto (default), nodes or summary.
	Detail string
	// Marks are a plan's changes, keyed "party/<name>", "cluster/<name>" or
	// "node/<name>": added, removed or changed.
	Marks map[string]string
}

// Key is the key of an entity in Options.Marks.
func Key(kind, name string) string { return kind + "/" + name }

// Build makes the picture of a network.
func Build(network *model.Network, opts Options) (*Graph, error) {
	g := &Graph{Network: network.Name, Platform: network.Platform, Consensus: network.Consensus.Algorithm}
	switch opts.Detail {
	case "", DetailAuto:
		g.Summary = len(network.Nodes) > NodeDetailLimit
	case DetailNodes:
	case DetailSummary:
		g.Summary = true
	default:
		return nil, fmt.Errorf("detail %q: want auto, nodes or summary", opts.Detail)
	}
	clusters := network.ClustersByParty()
	nodes := map[string][]model.Node{}
	for _, name := range network.NodeNames() {
		n := network.Nodes[name]
		nodes[n.Cluster] = append(nodes[n.Cluster], n)
	}
	for _, name := range network.PartyNames() {
		p := network.Parties[name]
		party := Party{Name: name, DisplayName: p.DisplayName, Change: opts.Marks[Key("party", name)]}
		for _, c := range clusters[name] {
			party.Clusters = append(party.Clusters, cluster(c, nodes[c.Name], opts.Marks))
		}
		g.Parties = append(g.Parties, party)
	}
	if network.IsFabric() && network.Fabric != nil {
		for _, name := range network.Fabric.ChannelNames() {
			ch := network.Fabric.Channels[name]
			g.Channels = append(g.Channels, Channel{Name: name, Members: slices.Sorted(slices.Values(ch.Members)),
				Consenters: slices.Sorted(slices.Values(ch.Consenters)), Chaincodes: ch.ChaincodeNames()})
		}
	}
	g.count()
	g.Mesh = g.Totals.Clusters <= MeshLimit
	if g.Mesh {
		g.Links = g.meshLinks()
	}
	return g, nil
}

// BuildChange pictures a change from base to head: head's topology plus what base had
// and head no longer has, each entity marked by opts.Marks.
func BuildChange(base, head *model.Network, opts Options) (*Graph, error) {
	union := *head
	union.Parties = maps.Clone(head.Parties)
	union.Clusters = maps.Clone(head.Clusters)
	union.Nodes = maps.Clone(head.Nodes)
	for name, p := range base.Parties {
		if _, ok := union.Parties[name]; !ok {
			union.Parties[name] = p
		}
	}
	for name, c := range base.Clusters {
		if _, ok := union.Clusters[name]; !ok {
			union.Clusters[name] = c
		}
	}
	for name, n := range base.Nodes {
		if _, ok := union.Nodes[name]; !ok {
			union.Nodes[name] = n
		}
	}
	return Build(&union, opts)
}

// count fills Totals with what the picture holds, leaving out what a change removes.
func (g *Graph) count() {
	g.Totals = Counts{}
	for _, p := range g.Parties {
		if p.Change != Removed {
			g.Totals.Parties++
		}
		for _, c := range p.Clusters {
			if c.Change != Removed {
				g.Totals.Clusters++
			}
			for _, n := range c.Nodes {
				if n.Change == Removed {
					continue
				}
				g.Totals.Nodes++
				switch {
				case n.Validator:
					g.Totals.Validators++
				case n.Role == model.RoleOrderer:
					g.Totals.Orderers++
				case n.Role == model.RolePeer:
					g.Totals.Peers++
				}
			}
		}
	}
}

func cluster(c model.Cluster, nodes []model.Node, marks map[string]string) Cluster {
	out := Cluster{Name: c.Name, Party: c.Party, Provider: c.Provider, Region: c.Region, Exposure: c.Exposure.Mode,
		Entry: entry(c, nodes), Change: marks[Key("cluster", c.Name)]}
	counts := map[string]int{}
	for _, n := range nodes {
		change := marks[Key("node", n.Name)]
		out.Nodes = append(out.Nodes, Node{Name: n.Name, Role: n.Role, Validator: n.IsValidator(),
			Endpoint: fmt.Sprintf("%s:%d", n.Endpoint.Host, n.Endpoint.Port), Change: change})
		if change != Removed { // a summary counts what runs after the change
			counts[n.Role]++
		}
	}
	for role, count := range counts {
		out.Roles = append(out.Roles, RoleCount{Role: role, Count: count})
	}
	slices.SortFunc(out.Roles, func(a, b RoleCount) int { return strings.Compare(roleOrder(a.Role), roleOrder(b.Role)) })
	return out
}

// roleOrder sorts validators first, then members, RPC nodes and any other role.
func roleOrder(role string) string {
	switch role {
	case model.RoleValidator:
		return "0"
	case model.RoleMember:
		return "1"
	case model.RoleRPC:
		return "2"
	}
	return "3" + role
}

// entry says where other clusters' nodes dial this cluster's nodes: one host (a shared
// gateway) or one name per node under the cluster's DNS suffix, and the port range.
func entry(c model.Cluster, nodes []model.Node) string {
	if c.Exposure.Mode == model.ExposeNone {
		return "in-cluster only"
	}
	if len(nodes) == 0 {
		return "no nodes"
	}
	hosts := map[string]bool{}
	low, high := nodes[0].Endpoint.Port, nodes[0].Endpoint.Port
	for _, n := range nodes {
		hosts[n.Endpoint.Host] = true
		low, high = min(low, n.Endpoint.Port), max(high, n.Endpoint.Port)
	}
	host := nodes[0].Endpoint.Host
	if len(hosts) > 1 {
		host = "*." + c.Exposure.DNSSuffix
	}
	if low == high {
		return fmt.Sprintf("%s:%d", host, low)
	}
	return fmt.Sprintf("%s:%d-%d", host, low, high)
}

// meshLinks joins the clusters whose nodes peer. With mesh peering Besu's static-nodes
// list holds every node of the network and every node dials every other: every pair
// of clusters with nodes is linked. Sparse peering is drawn the same way, as the
// clusters a message can travel between (package peering keeps them connected).
func (g *Graph) meshLinks() []Link {
	var withNodes []Cluster
	for _, c := range g.Clusters() {
		if len(c.Nodes) > 0 {
			withNodes = append(withNodes, c)
		}
	}
	slices.SortFunc(withNodes, func(a, b Cluster) int { return strings.Compare(a.Name, b.Name) })
	var out []Link
	for i, a := range withNodes {
		for _, b := range withNodes[i+1:] {
			out = append(out, Link{From: a.Name, To: b.Name, Change: linkChange(a.Change, b.Change)})
		}
	}
	return out
}

func linkChange(a, b string) string {
	switch {
	case a == Removed || b == Removed:
		return Removed
	case a == Added || b == Added:
		return Added
	}
	return ""
}

// isFabric reports whether the picture is of a Fabric network.
func (g *Graph) isFabric() bool { return g.Platform == model.PlatformFabric }

// channelLink joins a channel to a node drawn in Cluster: one of its consenters, or a
// peer of one of its member parties.
type channelLink struct {
	Channel, Cluster, Node string
	// Kind is "consenter" or "member".
	Kind string
}

// channelLinks lists every channel's links to the nodes of the picture (those Focus
// kept), channel by channel, then in the order the nodes are drawn.
func (g *Graph) channelLinks() []channelLink {
	var out []channelLink
	for _, ch := range g.Channels {
		for _, c := range g.Clusters() {
			for _, n := range c.Nodes {
				switch {
				case n.Role == model.RoleOrderer && slices.Contains(ch.Consenters, n.Name):
					out = append(out, channelLink{Channel: ch.Name, Cluster: c.Name, Node: n.Name, Kind: "consenter"})
				case n.Role == model.RolePeer && slices.Contains(ch.Members, c.Party):
					out = append(out, channelLink{Channel: ch.Name, Cluster: c.Name, Node: n.Name, Kind: "member"})
				}
			}
		}
	}
	return out
}

// Clusters lists every cluster of the picture, party by party.
func (g *Graph) Clusters() []Cluster {
	var out []Cluster
	for _, p := range g.Parties {
		out = append(out, p.Clusters...)
	}
	return out
}

// Focus keeps only the named parties (and the links between their clusters); the
// others are counted in Omitted. A plan of a large network draws what changes.
func (g *Graph) Focus(parties []string) {
	keep := map[string]bool{}
	var kept []Party
	for _, p := range g.Parties {
		if slices.Contains(parties, p.Name) {
			kept = append(kept, p)
			for _, c := range p.Clusters {
				keep[c.Name] = true
			}
		} else {
			g.Omitted++
		}
	}
	g.Parties = kept
	g.Mesh = len(keep) <= MeshLimit
	g.Links = nil
	if g.Mesh {
		g.Links = g.meshLinks()
	}
}
