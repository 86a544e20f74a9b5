package graph

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Mermaid flowchart styles. Only syntax old Mermaid releases read too (`graph`,
// undirected links, classDef/class, style), so older renderers (Azure DevOps) draw it;
// the newest is the invisible link ~~~ of the grid, which Mermaid's flowchart grammar
// (packages/mermaid/src/diagrams/flowchart/parser/flow.jison) reads since 9.2.0.
var mermaidClasses = []struct{ name, style string }{
	{"validator", "fill:#fff3c4,stroke:#9a6700,stroke-width:2px,color:#1f2328"},
	{"member", "fill:#ddf4ff,stroke:#0969da,color:#1f2328"},
	{"rpc", "fill:#eaeef2,stroke:#424a53,color:#1f2328"},
	{"orderer", "fill:#fbefff,stroke:#8250df,stroke-width:2px,color:#1f2328"},
	{"peer", "fill:#fff1e5,stroke:#bc4c00,color:#1f2328"},
	{"channel", "fill:#ffffff,stroke:#1f2328,stroke-width:2px,color:#1f2328"},
	{"node", "fill:#f6f8fa,stroke:#57606a,color:#1f2328"},
	{"entry", "fill:#ffffff,stroke:#8c959f,stroke-dasharray:4 3,color:#1f2328"},
	{"summary", "fill:#f6f8fa,stroke:#57606a,color:#1f2328"},
	{"hub", "fill:#ffffff,stroke:#57606a,color:#1f2328"},
	{Added, "fill:#aceebb,stroke:#1a7f37,stroke-width:3px,color:#1f2328"},
	{Removed, "fill:#ffcecb,stroke:#cf222e,stroke-width:3px,stroke-dasharray:6 4,color:#1f2328"},
	{Changed, "fill:#ffe3f3,stroke:#bf3989,stroke-width:3px,color:#1f2328"},
	{"legend", "fill:#ffffff,stroke:#d0d7de,color:#1f2328"},
}

// Subgraph styles of a change mark (Mermaid styles subgraphs by id, not by class).
var mermaidSubgraphStyle = map[string]string{
	Added:   "fill:#e6ffec,stroke:#1a7f37,stroke-width:3px",
	Removed: "fill:#ffebe9,stroke:#cf222e,stroke-width:3px,stroke-dasharray:6 4",
	Changed: "fill:#fff0f8,stroke:#bf3989,stroke-width:3px",
}

// Mermaid writes the picture as a Mermaid flowchart (without a Markdown fence).
//
// The flowchart runs top to bottom: Mermaid's layout (dagre) gives every level of
// nested subgraphs ranks of its own in that direction, so a party's title and its
// clusters' titles never overlap; left to right they share one gap and collide.
// Parties sit in rows of about √n (gridColumns). Above MeshLimit clusters each row's
// exposures meet in a p2p node under the row, linked to the next row's; an invisible
// link (~~~, which Mermaid lays out like any link but does not draw) from that node
// to each party of the next row puts the row below it (in a mesh, from the exposures
// of the party above). Without the rows every party takes the same ranks: 40 parties
// made one line 8,900 px long.
func (g *Graph) Mermaid(w io.Writer) error {
	b := bufio.NewWriter(w)
	m := &mermaid{classes: map[string][]string{}}
	fmt.Fprintf(b, "graph TB\n  %%%% %s\n", mermaidComment(g.title()))
	var edges []string
	// tops are the first ranks of each party: what a row above links down to.
	tops := make([][]string, len(g.Parties))
	for i, p := range g.Parties {
		pid := mermaidID("p", p.Name)
		fmt.Fprintf(b, "  subgraph %s[\"%s\"]\n", pid, mermaidTitle(changed(partyLabel(p), p.Change)))
		m.style(pid, p.Change)
		for _, c := range p.Clusters {
			cid, xid := mermaidID("c", c.Name), mermaidID("x", c.Name)
			fmt.Fprintf(b, "    subgraph %s[\"%s\"]\n", cid, mermaidTitle(changed(c.Name, c.Change)))
			m.style(cid, c.Change)
			fmt.Fprintf(b, "      %s{{\"%s\"}}\n", xid, mermaidLabel(exposureLines(c)...))
			m.class(xid, "entry", "")
			top := xid
			if g.Summary {
				sid := mermaidID("s", c.Name)
				fmt.Fprintf(b, "      %s[\"%s\"]\n", sid, mermaidLabel(append([]string{roleSummary(c.Roles)}, nodeChanges(c)...)...))
				m.class(sid, "summary", strongestChange(c))
				edges = append(edges, fmt.Sprintf("%s --- %s", sid, xid))
				top = sid
			}
			for j, n := range c.Nodes {
				if g.Summary {
					break
				}
				nid := mermaidID("n", n.Name)
				fmt.Fprintf(b, "      %s([\"%s\"])\n", nid, mermaidLabel(changed(nodeLabel(n), n.Change), n.Role))
				m.class(nid, roleClass(n.Role), n.Change)
				edges = append(edges, fmt.Sprintf("%s %s %s", nid, mermaidLink(n.Change), xid))
				if j == 0 {
					top = nid
				}
			}
			tops[i] = append(tops[i], top)
			b.WriteString("    end\n")
		}
		b.WriteString("  end\n")
	}
	for _, ch := range g.Channels {
		id := mermaidID("ch", ch.Name)
		fmt.Fprintf(b, "  %s[(\"%s\")]\n", id, mermaidLabel(channelLabel(ch)...))
		m.class(id, "channel", "")
	}
	cols := gridColumns(len(g.Parties))
	if !g.Mesh {
		for row := 0; row*cols < len(g.Parties); row++ {
			hub := hubID(row)
			fmt.Fprintf(b, "  %s((\"%s\"))\n", hub, mermaidLabel(g.hubLabel()))
			m.class(hub, "hub", "")
			for _, p := range g.Parties[row*cols : min(len(g.Parties), (row+1)*cols)] {
				for _, c := range p.Clusters {
					edges = append(edges, fmt.Sprintf("%s %s %s", mermaidID("x", c.Name), mermaidLink(c.Change), hub))
				}
			}
			if row > 0 {
				edges = append(edges, fmt.Sprintf("%s --- %s", hubID(row-1), hub))
			}
		}
	}
	// Each party below the first row hangs, invisibly, from what closes the row above:
	// its p2p node, or in a mesh the exposures of the party above it.
	for i := cols; i < len(g.Parties); i++ {
		above := []string{hubID(i/cols - 1)}
		if g.Mesh {
			above = nil
			for _, c := range g.Parties[i-cols].Clusters {
				above = append(above, mermaidID("x", c.Name))
			}
		}
		for _, from := range above {
			for _, to := range tops[i] {
				edges = append(edges, fmt.Sprintf("%s ~~~ %s", from, to))
			}
		}
	}
	if g.Omitted > 0 {
		fmt.Fprintf(b, "  omitted[\"%s\"]\n", mermaidLabel(g.omittedLabel()))
		m.class("omitted", "node", "")
	}
	for _, l := range g.Links {
		edges = append(edges, fmt.Sprintf("%s %s %s", mermaidID("x", l.From), mermaidLink(l.Change), mermaidID("x", l.To)))
	}
	// A channel links to its consenters and its members' peers; summarised, to the
	// role counts of the clusters that run them, once per cluster and kind.
	seen := map[string]bool{}
	for _, l := range g.channelLinks() {
		target := mermaidID("n", l.Node)
		if g.Summary {
			target = mermaidID("s", l.Cluster)
		}
		edge := fmt.Sprintf("%s ---|%s| %s", mermaidID("ch", l.Channel), l.Kind, target)
		if !seen[edge] {
			seen[edge] = true
			edges = append(edges, edge)
		}
	}
	m.legend(b)
	for _, e := range edges {
		fmt.Fprintf(b, "  %s\n", e)
	}
	for _, c := range mermaidClasses {
		if ids := m.classes[c.name]; len(ids) > 0 {
			fmt.Fprintf(b, "  classDef %s %s\n  class %s %s\n", c.name, c.style, strings.Join(ids, ","), c.name)
		}
	}
	for _, s := range m.styles {
		fmt.Fprintf(b, "  %s\n", s)
	}
	return b.Flush()
}

// exposureLines label a cluster's exposure node: where the cluster runs, its exposure
// mode, the host peers dial and, on a line of its own, the port. Subgraph titles are
// one line (the cluster's name) because Mermaid leaves a title one line's room above
// the subgraph's first nodes: a second line was drawn under them. And Mermaid wraps a
// line wider than its wrapping width (200 px) wherever it may, which cut
// "host:30303-30306" in the middle of the port range.
func exposureLines(c Cluster) []string {
	lines := []string{where(c), c.Exposure}
	if i := strings.LastIndexByte(c.Entry, ':'); i > 0 {
		return append(lines, c.Entry[:i], "port "+c.Entry[i+1:])
	}
	return append(lines, c.Entry)
}

// gridColumns is how many parties a row of the Mermaid picture holds: the smallest
// n with n² ≥ parties, so the grid is about as many rows as columns.
func gridColumns(parties int) int {
	n := 1
	for n*n < parties {
		n++
	}
	return n
}

// hubID is the id of the p2p node under a row of parties: "hub" under the first (the
// one hub of a picture without rows), then hub2, hub3… Every mermaidID has a "_"
// after its kind, so none of them is a hub's.
func hubID(row int) string {
	if row == 0 {
		return "hub"
	}
	return fmt.Sprintf("hub%d", row+1)
}

type mermaid struct {
	classes map[string][]string
	styles  []string
}

// legend draws one sample of every role and change mark the picture uses, in a box
// of its own, so a reviewer reads the colours without knowing them.
func (m *mermaid) legend(b *bufio.Writer) {
	var samples []string
	for _, c := range mermaidClasses {
		if len(m.classes[c.name]) == 0 || !legendKinds[c.name] {
			continue
		}
		id := mermaidID("legend", c.name)
		samples = append(samples, fmt.Sprintf("    %s([\"%s\"])\n", id, mermaidLabel(c.name)))
		m.classes[c.name] = append(m.classes[c.name], id)
	}
	if len(samples) == 0 {
		return
	}
	fmt.Fprintf(b, "  subgraph legend[\"%s\"]\n", mermaidLabel("legend"))
	for _, s := range samples {
		b.WriteString(s)
	}
	b.WriteString("  end\n")
	m.styles = append(m.styles, "style legend "+mermaidLegendStyle)
}

// The kinds the legend explains: node roles and change marks.
var legendKinds = map[string]bool{"validator": true, "member": true, "rpc": true, "orderer": true, "peer": true, Added: true, Removed: true, Changed: true}

const mermaidLegendStyle = "fill:#ffffff,stroke:#d0d7de,stroke-width:1px"

// class gives an element its class: its change mark when it has one, else its kind.
func (m *mermaid) class(id, kind, change string) {
	if change != "" {
		kind = change
	}
	m.classes[kind] = append(m.classes[kind], id)
}

func (m *mermaid) style(id, change string) {
	if change != "" {
		m.styles = append(m.styles, fmt.Sprintf("style %s %s", id, mermaidSubgraphStyle[change]))
	}
}

func roleClass(role string) string {
	switch role {
	case "validator", "member", "rpc", "orderer", "peer":
		return role
	}
	return "node"
}

// mermaidLink is a solid link, thick when added, dotted when removed.
func mermaidLink(change string) string {
	switch change {
	case Added:
		return "==="
	case Removed:
		return "-.-"
	}
	return "---"
}

// mermaidID is an element id: a kind letter and the name with every byte outside
// [A-Za-z0-9] written as _ and two hex digits. Distinct names give distinct ids, and no
// id is a Mermaid keyword (end, graph, subgraph…).
func mermaidID(kind, name string) string {
	var b strings.Builder
	b.WriteString(kind)
	b.WriteByte('_')
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "_%02x", c)
		}
	}
	return b.String()
}

// mermaidLabel is the text of a quoted label, lines joined by <br/>. Every character
// that could end the label, start markup or an entity is written as a Mermaid entity
// (#NNN;), as is everything outside ASCII.
func mermaidLabel(lines ...string) string {
	escaped := make([]string, len(lines))
	for i, line := range lines {
		var b strings.Builder
		for _, r := range line {
			if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(" .,:/()*+=@_-", r)) {
				b.WriteRune(r)
			} else {
				fmt.Fprintf(&b, "#%d;", r)
			}
		}
		escaped[i] = b.String()
	}
	return strings.Join(escaped, "<br/>")
}

// mermaidTitle is the label of a subgraph title: mermaidLabel with every space made
// non-breaking. Mermaid leaves one line's room above a subgraph's contents, and wraps
// a label wider than 200 px at its spaces (createText.ts, addHtmlSpan: past that
// width the label becomes a 200 px CSS table with white-space: break-spaces); a table
// grows to its longest unbreakable run instead, so the title stays on its line and
// Mermaid sizes the subgraph's box to it ("Northwind Traders (northwind)" wrapped onto
// its cluster's title).
func mermaidTitle(s string) string {
	return mermaidLabel(strings.ReplaceAll(s, " ", "\u00a0"))
}

// mermaidComment keeps a comment on its line.
func mermaidComment(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}
