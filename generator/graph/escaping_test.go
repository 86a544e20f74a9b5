package graph_test

import (
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/graph"
)

// oddNames is what the schema never lets through as a name, but a display name, a
// region or a future platform's names may hold: every character that ends a quoted
// string, starts markup or an entity, or means something to Mermaid or Graphviz.
var oddNames = []string{
	`Ann "The" <Bank> & Co`,
	`back\slash \N \l`,
	"tick ` ```fence",
	`#quot; #35; %% end`,
	`]) }} [( graph`,
	"tab\there",
	`ünï ★ 銀行`,
}

// oddGraph is a picture whose every label is one of oddNames.
func oddGraph() *graph.Graph {
	g := &graph.Graph{Network: `net "x" <y>`, Platform: "besu", Consensus: "qbft", Mesh: true}
	for i, name := range oddNames {
		c := graph.Cluster{Name: name + " cluster", Party: name, Provider: name, Region: name, Exposure: name, Entry: name,
			Nodes: []graph.Node{
				{Name: name + " node", Role: "validator", Validator: true, Endpoint: name},
				{Name: name + " member", Role: "member", Endpoint: name},
			},
			Roles: []graph.RoleCount{{Role: "validator", Count: 1}, {Role: "member", Count: 1}}}
		g.Parties = append(g.Parties, graph.Party{Name: name, DisplayName: name + " display", Clusters: []graph.Cluster{c}})
		if i > 0 {
			g.Links = append(g.Links, graph.Link{From: oddNames[i-1] + " cluster", To: c.Name})
		}
	}
	return g
}

// Mermaid labels carry no character that could end the label or the Markdown fence,
// and ids stay [A-Za-z0-9_]: every odd character is an entity.
func TestMermaidEscapesOddNames(t *testing.T) {
	out := string(render(t, oddGraph(), "mermaid"))
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[2:] {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "classDef ") || strings.HasPrefix(line, "class ") || line == "end" {
			continue
		}
		if strings.ContainsAny(line, "`<>&\t\\") && !strings.Contains(line, "<br/>") {
			t.Errorf("unescaped character in %q", line)
		}
		if i := strings.Index(line, `["`); i >= 0 {
			label := line[i+2 : strings.LastIndex(line, `"`)]
			if strings.ContainsAny(strings.ReplaceAll(label, "<br/>", ""), "\"`<>[]{}\\|") {
				t.Errorf("label %q holds a character Mermaid reads", label)
			}
		}
	}
	for _, want := range []string{"#34;", "#60;", "#62;", "#38;", "#96;", "#35;", "#9733;"} {
		if !strings.Contains(out, want) {
			t.Errorf("no entity %s in:\n%s", want, out)
		}
	}
}

// The SVG of odd names is well-formed and reads back every name exactly.
func TestSVGEscapesOddNames(t *testing.T) {
	doc := parseSVG(t, render(t, oddGraph(), "svg"))
	for _, name := range oddNames {
		if !contains(doc.attrs["data-party"], name) || !contains(doc.attrs["data-node"], name+" node") {
			t.Errorf("%q does not read back from the SVG's data attributes", name)
		}
	}
}

// DOT strings escape quotes and backslashes; dot_graphviz_test.go checks with the
// real Graphviz that the labels read back verbatim.
func TestDOTQuotesOddNames(t *testing.T) {
	out := string(render(t, oddGraph(), "dot"))
	if !strings.Contains(out, `"Ann \"The\" <Bank> & Co display (Ann \"The\" <Bank> & Co)"`) {
		t.Errorf("party label not quoted as expected:\n%s", out)
	}
	if !strings.Contains(out, `back\\slash \\N \\l`) {
		t.Errorf("backslashes not doubled:\n%s", out)
	}
}
