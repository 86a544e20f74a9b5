package graph

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Fill colours by role and by change mark, the same as the Mermaid and SVG pictures.
var (
	// Roles are light fills; changes strong hues no role uses: green added, red
	// removed, magenta changed (amber would read as a validator, green as an RPC node).
	roleFill   = map[string]string{"validator": "#fff3c4", "member": "#ddf4ff", "rpc": "#eaeef2", "orderer": "#fbefff", "peer": "#fff1e5"}
	changeFill = map[string]string{Added: "#aceebb", Removed: "#ffcecb", Changed: "#ffe3f3"}
	changeLine = map[string]string{Added: "#1a7f37", Removed: "#cf222e", Changed: "#bf3989"}
)

// DOT writes the picture as a Graphviz graph (undirected: peers dial each other).
func (g *Graph) DOT(w io.Writer) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "graph %s {\n", dotQuote(g.Network))
	fmt.Fprintf(b, "  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, label=%s];\n", dotQuote(g.title()+"\n"+g.meshNote()))
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=11, shape=box, style=\"rounded,filled\", fillcolor=\"#f6f8fa\", color=\"#57606a\"];\n")
	b.WriteString("  edge [color=\"#57606a\"];\n")
	var edges []string
	for _, p := range g.Parties {
		fmt.Fprintf(b, "  subgraph %s {\n    label=%s;\n%s", dotQuote("cluster_p/"+p.Name), dotQuote(changed(partyLabel(p), p.Change)), dotSubgraphStyle(p.Change, "    "))
		for _, c := range p.Clusters {
			xid := dotQuote("x/" + c.Name)
			fmt.Fprintf(b, "    subgraph %s {\n      label=%s;\n%s", dotQuote("cluster_c/"+c.Name), dotQuote(changed(c.Name, c.Change)+"\n"+where(c)), dotSubgraphStyle(c.Change, "      "))
			fmt.Fprintf(b, "      %s [label=%s, shape=hexagon, style=\"dashed\", fillcolor=\"#ffffff\"];\n", xid, dotQuote(c.Exposure+"\n"+c.Entry))
			if g.Summary {
				sid := dotQuote("s/" + c.Name)
				fmt.Fprintf(b, "      %s [label=%s];\n", sid, dotQuote(roleSummary(c.Roles)))
				edges = append(edges, fmt.Sprintf("%s -- %s", sid, xid))
			}
			for _, n := range c.Nodes {
				if g.Summary {
					break
				}
				nid := dotQuote("n/" + n.Name)
				fmt.Fprintf(b, "      %s [label=%s%s];\n", nid, dotQuote(changed(nodeLabel(n), n.Change)+"\n"+n.Role), dotNodeStyle(n))
				edges = append(edges, fmt.Sprintf("%s -- %s%s", nid, xid, dotEdgeStyle(n.Change)))
			}
			b.WriteString("    }\n")
		}
		b.WriteString("  }\n")
	}
	for _, ch := range g.Channels {
		fmt.Fprintf(b, "  %s [label=%s, shape=cylinder, style=\"filled\", fillcolor=\"#ffffff\", color=\"#1f2328\", penwidth=2];\n",
			dotQuote("ch/"+ch.Name), dotQuote(strings.Join(channelLabel(ch), "\n")))
	}
	if !g.Mesh {
		fmt.Fprintf(b, "  hub [label=%s, shape=ellipse, fillcolor=\"#ffffff\"];\n", dotQuote(g.hubLabel()))
		for _, c := range g.Clusters() {
			edges = append(edges, fmt.Sprintf("%s -- hub%s", dotQuote("x/"+c.Name), dotEdgeStyle(c.Change)))
		}
	}
	if g.Omitted > 0 {
		fmt.Fprintf(b, "  omitted [label=%s, shape=note];\n", dotQuote(g.omittedLabel()))
	}
	for _, l := range g.Links {
		edges = append(edges, fmt.Sprintf("%s -- %s%s", dotQuote("x/"+l.From), dotQuote("x/"+l.To), dotEdgeStyle(l.Change)))
	}
	seen := map[string]bool{}
	for _, l := range g.channelLinks() {
		target := dotQuote("n/" + l.Node)
		if g.Summary {
			target = dotQuote("s/" + l.Cluster)
		}
		edge := fmt.Sprintf("%s -- %s [label=%s, color=\"#1f2328\"%s]", dotQuote("ch/"+l.Channel), target, dotQuote(l.Kind), dotChannelEdgeStyle(l.Kind))
		if !seen[edge] {
			seen[edge] = true
			edges = append(edges, edge)
		}
	}
	for _, e := range edges {
		fmt.Fprintf(b, "  %s;\n", e)
	}
	b.WriteString("}\n")
	return b.Flush()
}

func dotNodeStyle(n Node) string {
	fill, line, width := roleFill[n.Role], "#57606a", 1
	if n.Validator {
		line, width = "#9a6700", 2
	}
	if n.Change != "" {
		fill, line, width = changeFill[n.Change], changeLine[n.Change], 3
	}
	if fill == "" {
		fill = "#f6f8fa"
	}
	style := ""
	if n.Change == Removed {
		style = ", style=\"rounded,filled,dashed\""
	}
	return fmt.Sprintf(", fillcolor=%s, color=%s, penwidth=%d%s", dotQuote(fill), dotQuote(line), width, style)
}

// dotChannelEdgeStyle draws a channel's links to its members' peers dashed, to its
// consenters solid.
func dotChannelEdgeStyle(kind string) string {
	if kind == "member" {
		return ", style=dashed"
	}
	return ""
}

func dotSubgraphStyle(change, indent string) string {
	if change == "" {
		return indent + "style=\"rounded\"; color=\"#8c959f\";\n"
	}
	style := "rounded,filled"
	if change == Removed {
		style += ",dashed"
	}
	return fmt.Sprintf("%sstyle=%s; fillcolor=%s; color=%s; penwidth=3;\n", indent, dotQuote(style), dotQuote(changeFill[change]), dotQuote(changeLine[change]))
}

func dotEdgeStyle(change string) string {
	switch change {
	case Added:
		return " [color=\"#1a7f37\", penwidth=3]"
	case Removed:
		return " [color=\"#cf222e\", style=dashed]"
	}
	return ""
}

// dotQuote is a DOT double-quoted string: backslashes and quotes escaped (so no
// Graphviz label escape such as \N or \l appears by accident), line breaks as \n.
func dotQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '"':
			b.WriteString(`\"`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
