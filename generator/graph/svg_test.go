package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/graph"
)

// The reference network's SVG is well-formed XML with an svg root in the SVG
// namespace, and names every party, cluster and node, each validator marked.
func TestSVGNamesEveryPartyAndNode(t *testing.T) {
	network := reference(t)
	doc := parseSVG(t, render(t, build(t, network, graph.Options{}), "svg"))
	if doc.root != "http://www.w3.org/2000/svg svg" {
		t.Fatalf("root element %q, want svg in the SVG namespace", doc.root)
	}
	for _, name := range network.PartyNames() {
		if !contains(doc.attrs["data-party"], name) {
			t.Errorf("party %s has no element", name)
		}
		label := fmt.Sprintf("%s (%s)", network.Parties[name].DisplayName, name)
		if !contains(doc.texts, label) {
			t.Errorf("party %s: no text %q", name, label)
		}
	}
	for _, name := range network.ClusterNames() {
		if !contains(doc.attrs["data-cluster"], name) || !contains(doc.texts, name) {
			t.Errorf("cluster %s is not drawn", name)
		}
	}
	for _, name := range network.NodeNames() {
		want := name
		if network.Nodes[name].IsValidator() {
			want = "★ " + name
		}
		if !contains(doc.attrs["data-node"], name) || !contains(doc.texts, want) {
			t.Errorf("node %s is not drawn as %q", name, want)
		}
	}
}

// At 300 parties (1,200 nodes) the SVG draws every party and cluster and counts the
// nodes by role instead of drawing 1,200 boxes.
func TestSVGSummarisesLargeNetworks(t *testing.T) {
	network := synthNetwork(t, 300)
	g := build(t, network, graph.Options{})
	if !g.Summary || g.Mesh || len(g.Links) != 0 {
		t.Fatalf("300 parties: summary %v, mesh %v, %d links; want a summary through one hub", g.Summary, g.Mesh, len(g.Links))
	}
	data := render(t, g, "svg")
	doc := parseSVG(t, data)
	for _, name := range network.PartyNames() {
		if !contains(doc.attrs["data-party"], name) {
			t.Errorf("party %s has no element", name)
		}
	}
	for _, name := range network.ClusterNames() {
		if !contains(doc.attrs["data-cluster"], name) {
			t.Errorf("cluster %s has no element", name)
		}
	}
	if n := len(doc.attrs["data-node"]); n != 0 {
		t.Errorf("%d node boxes drawn, want none (summarised)", n)
	}
	if n := strings.Count(strings.Join(doc.texts, "\n"), "2 validators"); n != 300 {
		t.Errorf("%d clusters say \"2 validators\", want 300", n)
	}
	t.Logf("300 parties: %d bytes of SVG", len(data))
}
