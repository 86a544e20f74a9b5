package graph

import (
	"fmt"
	"strings"
)

// Words the three writers share, so the SVG, Mermaid and DOT pictures say the same.

// title is the picture's heading.
func (g *Graph) title() string {
	if g.isFabric() {
		return fmt.Sprintf("%s: %s %s, %s, %s, %s (%s, %s), %s", g.Network, g.Platform, g.Consensus,
			plural(g.Totals.Parties, "party", "parties"), plural(g.Totals.Clusters, "cluster", "clusters"),
			plural(g.Totals.Nodes, "node", "nodes"), plural(g.Totals.Orderers, "orderer", "orderers"),
			plural(g.Totals.Peers, "peer", "peers"), plural(len(g.Channels), "channel", "channels"))
	}
	return fmt.Sprintf("%s: %s %s, %s, %s, %s, %s", g.Network, g.Platform, g.Consensus,
		plural(g.Totals.Parties, "party", "parties"), plural(g.Totals.Clusters, "cluster", "clusters"),
		plural(g.Totals.Nodes, "node", "nodes"), plural(g.Totals.Validators, "validator", "validators"))
}

// meshNote says how nodes peer, under the title.
func (g *Graph) meshNote() string {
	if g.isFabric() {
		return "p2p: peers dial the orderers and the other members' peers, orderers the channel's other consenters, each through the exposure of the dialled node's cluster"
	}
	return "p2p: every node dials every other node (static nodes, full mesh) through the exposure of the node's cluster"
}

const besuHubLabel = "p2p full mesh: every node peers with every node"

// hubLabel names the hub the clusters' exposures meet in above MeshLimit clusters.
func (g *Graph) hubLabel() string {
	if g.isFabric() {
		return "p2p: orderers and peers dial each other across clusters"
	}
	return besuHubLabel
}

// channelLabel is a channel's name and what runs on it.
func channelLabel(ch Channel) []string {
	lines := []string{"channel " + ch.Name,
		plural(len(ch.Members), "member", "members") + ", " + plural(len(ch.Consenters), "consenter", "consenters")}
	if len(ch.Chaincodes) > 0 {
		lines = append(lines, "chaincodes: "+strings.Join(ch.Chaincodes, ", "))
	}
	return lines
}
func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// partyLabel is "Display Name (name)", or the name alone.
func partyLabel(p Party) string {
	if p.DisplayName == "" || p.DisplayName == p.Name {
		return p.Name
	}
	return fmt.Sprintf("%s (%s)", p.DisplayName, p.Name)
}

// where is a cluster's provider and region.
func where(c Cluster) string { return c.Provider + " · " + c.Region }

// exposureLabel is a cluster's exposure mode and where peers dial it.
func exposureLabel(c Cluster) string { return c.Exposure + " · " + c.Entry }

// roleSummary is "2 validators, 1 member, 1 rpc".
func roleSummary(roles []RoleCount) string {
	var parts []string
	for _, r := range roles {
		parts = append(parts, rolePlural(r))
	}
	if len(parts) == 0 {
		return "no nodes"
	}
	return strings.Join(parts, ", ")
}

func rolePlural(r RoleCount) string {
	if r.Count == 1 || r.Role == "rpc" {
		return fmt.Sprintf("%d %s", r.Count, r.Role)
	}
	return fmt.Sprintf("%d %ss", r.Count, r.Role)
}

// validatorMark precedes a validator's name in every picture.
const validatorMark = "★"

// nodeLabel is a node's name, marked when it is a validator.
func nodeLabel(n Node) string {
	if n.Validator {
		return validatorMark + " " + n.Name
	}
	return n.Name
}

// changed appends a change mark in words, so a picture without colour still says it.
func changed(s, change string) string {
	if change == "" {
		return s
	}
	return s + " (" + change + ")"
}

// omittedLabel says how many parties Focus left out.
func (g *Graph) omittedLabel() string {
	return fmt.Sprintf("%s not shown: no party, cluster or node of theirs changes (their generated files may: see the files table)", plural(g.Omitted, "more party", "more parties"))
}

// nodeChanges names a summarised cluster's marked nodes ("added: a, b"), so a summary
// never hides a node a change adds, changes or removes.
func nodeChanges(c Cluster) []string {
	var lines []string
	for _, m := range nodeMarks(c) {
		lines = append(lines, m.line)
	}
	return lines
}

// markLine is one line of nodeChanges and the mark it names.
type markLine struct{ mark, line string }

// nodeMarks are nodeChanges' lines with their marks, added, changed then removed.
func nodeMarks(c Cluster) []markLine {
	var out []markLine
	for _, mark := range []string{Added, Changed, Removed} {
		var names []string
		for _, n := range c.Nodes {
			if n.Change == mark {
				names = append(names, n.Name)
			}
		}
		if len(names) > 0 {
			out = append(out, markLine{mark, mark + ": " + strings.Join(names, ", ")})
		}
	}
	return out
}

// strongestChange is the mark a summarised cluster's box takes from its nodes:
// removed over added over changed, none when nothing in it changes.
func strongestChange(c Cluster) string {
	found := map[string]bool{}
	for _, n := range c.Nodes {
		found[n.Change] = true
	}
	for _, mark := range []string{Removed, Added, Changed} {
		if found[mark] {
			return mark
		}
	}
	return ""
}
