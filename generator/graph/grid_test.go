package graph_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/graph"
)

// The Mermaid of 40 parties (summarised, through p2p nodes) is 6 rows of 7 parties
// (7² ≥ 40 > 6²): each row's exposures link to the p2p node under it, each p2p node
// to the next, and each party below the first row hangs from the p2p node above it by
// an invisible link. A browser draws this (TestMermaidPicturesReadAtEverySize); this
// checks the source without one.
func TestMermaidGridOf40Parties(t *testing.T) {
	g := build(t, synthNetwork(t, 40), graph.Options{})
	src := string(render(t, g, "mermaid"))
	if !strings.HasPrefix(src, "graph TB\n") {
		t.Errorf("want a top-to-bottom flowchart:\n%.40s", src)
	}
	hubs := []string{"hub", "hub2", "hub3", "hub4", "hub5", "hub6"}
	for _, hub := range hubs {
		if !strings.Contains(src, "\n  "+hub+"((") {
			t.Errorf("no p2p node %s", hub)
		}
	}
	if strings.Contains(src, "hub7") {
		t.Error("a seventh row's p2p node: 40 parties fill 6 rows of 7")
	}
	for i := 1; i < len(hubs); i++ {
		if !strings.Contains(src, fmt.Sprintf("\n  %s --- %s\n", hubs[i-1], hubs[i])) {
			t.Errorf("p2p nodes %s and %s are not linked", hubs[i-1], hubs[i])
		}
	}
	for i, p := range g.Parties {
		cluster := p.Clusters[0].Name
		x := "x_" + strings.ReplaceAll(cluster, "-", "_2d")
		if want := fmt.Sprintf("\n  %s --- %s\n", x, hubs[i/7]); !strings.Contains(src, want) {
			t.Errorf("party %s (row %d): no link %q", p.Name, i/7+1, strings.TrimSpace(want))
		}
		hang := fmt.Sprintf(" ~~~ s_%s\n", strings.ReplaceAll(cluster, "-", "_2d"))
		switch hangs := strings.Contains(src, "\n  "+hubs[max(0, i/7-1)]+hang); {
		case i < 7 && hangs:
			t.Errorf("party %s of the first row hangs from a p2p node", p.Name)
		case i >= 7 && !hangs:
			t.Errorf("party %s (row %d) does not hang from %s", p.Name, i/7+1, hubs[i/7-1])
		}
	}
	if n := strings.Count(src, "~~~"); n != 40-7 {
		t.Errorf("%d invisible links, want one per party below the first row (33)", n)
	}
}
