package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/flux-ledger/flux-ledger/generator/graph"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// PicturesEnv, when set to anything, makes the picture tests write what they drew to
// docs/: the Mermaid of a change to 10 parties as docs/network-mermaid.png and the
// reference network's SVG as docs/network.svg. Unset, they write nothing, so a test
// run leaves the tree as it was.
const PicturesEnv = "FLUX_LEDGER_PICTURES"

// Sizes the picture tests draw: a small network (a mesh), one drawn node by node
// through a hub, and one summarised.
var pictureSizes = []int{3, 10, 40}

// Stroke colours of the change marks, as mermaid.go's classes and the SVG's
// changeLine write them; a mark is visible when its outline is in the screenshot.
var markStrokes = map[string]string{graph.Added: "#1a7f37", graph.Removed: "#cf222e", graph.Changed: "#bf3989"}

// syntheticChange pictures a change to the synthetic network of n parties: a node
// added to p0001's cluster, p0000's RPC node removed, p0002's cluster changed.
func syntheticChange(t *testing.T, n int) *graph.Graph {
	t.Helper()
	base := synthNetwork(t, n)
	head := *base
	head.Nodes = maps.Clone(base.Nodes)
	added := head.Nodes["p0001-member-2"]
	added.Name = "p0001-member-9"
	head.Nodes[added.Name] = added
	delete(head.Nodes, "p0000-rpc-3")
	g, err := graph.BuildChange(base, &head, graph.Options{Marks: map[string]string{
		graph.Key("node", "p0001-member-9"):    graph.Added,
		graph.Key("node", "p0000-rpc-3"):       graph.Removed,
		graph.Key("cluster", "p0002-gke"):      graph.Changed,
		graph.Key("node", "p0002-validator-0"): graph.Changed,
	}})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// box is an element's bounding box as Chromium lays it out.
type box struct {
	ID         string
	X, Y, W, H float64
}

// overlap reports whether two boxes share more than half a pixel each way.
func overlap(a, b box) bool {
	return min(a.X+a.W, b.X+b.W)-max(a.X, b.X) > 0.5 && min(a.Y+a.H, b.Y+b.H)-max(a.Y, b.Y) > 0.5
}

func inside(inner, outer box) bool {
	return inner.X >= outer.X-0.5 && inner.Y >= outer.Y-0.5 && inner.X+inner.W <= outer.X+outer.W+0.5 && inner.Y+inner.H <= outer.Y+outer.H+0.5
}

// checkShape fails a picture that is one long strip (40 parties used to make a
// column 8,700 px tall) or too big to read on a screen at all.
func checkShape(t *testing.T, width, height float64) {
	t.Helper()
	if width <= 0 || height <= 0 || max(width, height)/min(width, height) > 3 {
		t.Errorf("picture is %.0f × %.0f px: want an aspect ratio within 3:1", width, height)
	}
	if width > 8000 || height > 8000 {
		t.Errorf("picture is %.0f × %.0f px: want at most 8,000 px each way", width, height)
	}
}

// checkMarks fails a screenshot without a visible outline in each change mark's colour.
func checkMarks(t *testing.T, picture []byte) {
	t.Helper()
	for mark, stroke := range markStrokes {
		if n := pixelsNear(t, picture, stroke, 6); n < 40 {
			t.Errorf("%s: %d pixels of its stroke %s drawn, want a visible outline", mark, n, stroke)
		}
	}
}

// mermaidMeasure is what the page measures in the diagram Mermaid drew, at its own
// size (Mermaid scales it down to the page's width otherwise).
const mermaidMeasure = `(() => {
  const svg = document.querySelector("#out svg"), vb = svg.viewBox.baseVal;
  svg.removeAttribute("style");
  svg.setAttribute("width", vb.width);
  svg.setAttribute("height", vb.height);
  const box = (id, el) => { const b = el.getBoundingClientRect(); return {ID: id, X: b.x, Y: b.y, W: b.width, H: b.height}; };
  const wrapped = [], ports = [];
  const walk = document.createTreeWalker(svg, NodeFilter.SHOW_TEXT);
  for (let n; (n = walk.nextNode()); ) {
    if (!/30303/.test(n.data)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    (range.getClientRects().length > 1 ? wrapped : ports).push(n.data);
  }
  const legend = svg.querySelector("g.cluster#legend");
  // The legend's samples are nodes, drawn apart from the subgraph's box.
  const samples = [...svg.querySelectorAll("g.node")].filter((n) => /-legend_/.test(n.id)).map((n) => n.textContent).join(" ");
  return JSON.stringify({
    Width: vb.width, Height: vb.height, Picture: box("svg", svg),
    Titles: [...svg.querySelectorAll("g.cluster")].map((c) => box(c.id, c.querySelector(".cluster-label .nodeLabel") || c.querySelector(".cluster-label"))),
    Nodes: [...svg.querySelectorAll("g.node")].map((n) => box(n.id, n)),
    Legend: legend ? box("legend", legend) : null,
    LegendText: samples,
    Wrapped: wrapped, Ports: ports,
  });
})()`

type mermaidLayout struct {
	Width, Height  float64
	Picture        box
	Titles, Nodes  []box
	Legend         *box
	LegendText     string
	Wrapped, Ports []string
}

// drawMermaid draws Mermaid source with the real Mermaid in Chromium at its own size
// and returns what mermaidMeasure found and a screenshot of the whole page (PNG).
func drawMermaid(t *testing.T, tab context.Context, source string) (mermaidLayout, []byte) {
	t.Helper()
	if _, _, err := renderMermaidPicture(t, tab, source); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(tab, 2*time.Minute)
	defer cancel()
	var measured string
	var picture []byte
	if err := chromedp.Run(ctx, chromedp.Evaluate(mermaidMeasure, &measured), chromedp.FullScreenshot(&picture, 100)); err != nil {
		t.Fatalf("Chromium: %v", err)
	}
	var layout mermaidLayout
	if err := json.Unmarshal([]byte(measured), &layout); err != nil {
		t.Fatal(err)
	}
	return layout, picture
}

// The Mermaid of a change at 3, 10 and 40 parties, as the real Mermaid draws it in
// Chromium: no subgraph title overlaps another title or a node, no port range is
// wrapped onto two lines, the picture is a grid rather than a strip, the legend is
// drawn inside it naming every mark, and each mark's colour shows. On the layout
// before the grid, every size failed (a party's title overlapped its cluster's;
// "…:30303-30306" wrapped after "30303-"), and 40 parties were 994 × 8,676 px.
func TestMermaidPicturesReadAtEverySize(t *testing.T) {
	tab := testenv.Browser(t, 1600, 1000, nil)
	for _, n := range pictureSizes {
		t.Run(fmt.Sprintf("%d parties", n), func(t *testing.T) {
			g := syntheticChange(t, n)
			layout, picture := drawMermaid(t, tab, string(render(t, g, "mermaid")))
			t.Logf("%d parties: %.0f × %.0f px, %d titles, %d nodes", n, layout.Width, layout.Height, len(layout.Titles), len(layout.Nodes))
			for i, a := range layout.Titles {
				for _, b := range layout.Titles[i+1:] {
					if overlap(a, b) {
						t.Errorf("the titles of %s and %s overlap: %+v, %+v", a.ID, b.ID, a, b)
					}
				}
				for _, b := range layout.Nodes {
					if overlap(a, b) {
						t.Errorf("the title of %s overlaps node %s", a.ID, b.ID)
					}
				}
			}
			if len(layout.Wrapped) > 0 {
				t.Errorf("port lines wrapped: %q", layout.Wrapped)
			}
			if clusters := len(g.Clusters()); len(layout.Ports) != clusters {
				t.Errorf("%d port lines drawn whole, want one per cluster (%d): %q", len(layout.Ports), clusters, layout.Ports)
			}
			checkShape(t, layout.Width, layout.Height)
			if layout.Legend == nil || layout.Legend.W < 50 || layout.Legend.H < 50 || !inside(*layout.Legend, layout.Picture) {
				t.Errorf("legend %+v is not drawn inside the picture %+v", layout.Legend, layout.Picture)
			}
			for _, mark := range []string{graph.Added, graph.Removed, graph.Changed} {
				if !strings.Contains(layout.LegendText, mark) {
					t.Errorf("the legend (%q) does not name %s", layout.LegendText, mark)
				}
			}
			checkMarks(t, picture)
			if n == 10 && os.Getenv(PicturesEnv) != "" {
				writeDoc(t, "network-mermaid.png", picture)
			}
		})
	}
}

// The reference Besu and Fabric networks, as the real Mermaid draws them: no subgraph
// title overlaps another or a node, and no port range wraps. Their party titles
// ("Northwind Traders (northwind)") are wider than the 200 px at which Mermaid wraps a
// label, and wrapped onto their clusters' titles until titles kept their spaces
// together; left to right, every party's title overlapped its cluster's.
func TestMermaidReferencePicturesKeepTitlesApart(t *testing.T) {
	tab := testenv.Browser(t, 1600, 1000, nil)
	for name, network := range map[string]*graph.Graph{
		"besu":   build(t, reference(t), graph.Options{}),
		"fabric": build(t, fabricReference(t), graph.Options{}),
	} {
		t.Run(name, func(t *testing.T) {
			layout, _ := drawMermaid(t, tab, string(render(t, network, "mermaid")))
			for i, a := range layout.Titles {
				for _, b := range append(layout.Titles[i+1:], layout.Nodes...) {
					if overlap(a, b) {
						t.Errorf("the title of %s overlaps %s: %+v, %+v", a.ID, b.ID, a, b)
					}
				}
			}
			if len(layout.Wrapped) > 0 {
				t.Errorf("port lines wrapped: %q", layout.Wrapped)
			}
			checkShape(t, layout.Width, layout.Height)
		})
	}
}

// svgMeasure is what the page measures in an SVG document: the titles of party and
// cluster cards with the boxes they sit in, every text, and the legend's texts.
const svgMeasure = `(() => {
  const svg = document.documentElement;
  const box = (id, el) => { const b = el.getBBox(); return {ID: id, X: b.x, Y: b.y, W: b.width, H: b.height}; };
  const cards = (sel, rect, key) => [...svg.querySelectorAll(sel)].map((g) => ({
    Title: box(g.getAttribute(key), g.querySelector(":scope > text")), Box: box(g.getAttribute(key), g.querySelector(":scope > " + rect)),
  }));
  return JSON.stringify({
    Width: svg.width.baseVal.value, Height: svg.height.baseVal.value,
    Parties: cards("g.party", "rect.party-box", "data-party"),
    Clusters: cards("g.cluster", "rect.cluster-box", "data-cluster"),
    Texts: [...svg.querySelectorAll("text")].map((e) => box(e.textContent, e)),
  });
})()`

type svgCard struct{ Title, Box box }

type svgLayout struct {
	Width, Height     float64
	Parties, Clusters []svgCard
	Texts             []box
}

// The SVG of a change at 3, 10 and 40 parties, laid out by Chromium: no two texts
// overlap, every party and cluster title lies inside its card, nothing but an
// exposure's host is shortened and every exposure keeps its port, the picture is a
// grid, the legend is drawn inside it naming every mark, and each mark's colour
// shows. The SVG was a grid before these checks, and they passed on it too.
func TestSVGPicturesReadAtEverySize(t *testing.T) {
	tab := testenv.Browser(t, 1600, 1000, nil)
	for _, n := range pictureSizes {
		t.Run(fmt.Sprintf("%d parties", n), func(t *testing.T) {
			g := syntheticChange(t, n)
			layout, picture := drawSVG(t, tab, render(t, g, "svg"))
			t.Logf("%d parties: %.0f × %.0f px, %d texts", n, layout.Width, layout.Height, len(layout.Texts))
			for i, a := range layout.Texts {
				for _, b := range layout.Texts[i+1:] {
					if overlap(a, b) {
						t.Errorf("texts %q and %q overlap", a.ID, b.ID)
					}
				}
			}
			for _, c := range append(layout.Parties, layout.Clusters...) {
				if !inside(c.Title, c.Box) {
					t.Errorf("title %q (%+v) is not inside its card %+v", c.Title.ID, c.Title, c.Box)
				}
			}
			if len(layout.Parties) != n || len(layout.Clusters) != n {
				t.Errorf("%d party and %d cluster cards, want %d of each", len(layout.Parties), len(layout.Clusters), n)
			}
			ports := 0
			for _, text := range layout.Texts {
				switch {
				case strings.HasPrefix(text.ID, "⇄ "):
					if strings.HasSuffix(text.ID, ":30303-30306") {
						ports++
					}
				case strings.Contains(text.ID, "…"):
					t.Errorf("text %q is shortened", text.ID)
				}
			}
			if ports != n {
				t.Errorf("%d exposure labels end with their port, want %d", ports, n)
			}
			checkShape(t, layout.Width, layout.Height)
			for _, mark := range []string{graph.Added, graph.Removed, graph.Changed, "validator", "member", "rpc"} {
				found := false
				for _, text := range layout.Texts {
					// The legend is the header's row of samples, above every card.
					if strings.HasSuffix(text.ID, mark) && text.Y < 104 && text.Y+text.H <= layout.Height && text.W > 0 {
						found = true
					}
				}
				if !found {
					t.Errorf("the legend does not name %s", mark)
				}
			}
			checkMarks(t, picture)
		})
	}
	if os.Getenv(PicturesEnv) != "" {
		writeDoc(t, "network.svg", render(t, build(t, reference(t), graph.Options{}), "svg"))
	}
}

// drawSVG has Chromium load an SVG document and returns what svgMeasure found and a
// screenshot of it (PNG).
func drawSVG(t *testing.T, tab context.Context, data []byte) (svgLayout, []byte) {
	t.Helper()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Write(data)
	}))
	defer server.Close()
	ctx, cancel := context.WithTimeout(tab, 2*time.Minute)
	defer cancel()
	var measured string
	var picture []byte
	if err := chromedp.Run(ctx, chromedp.Navigate(server.URL), chromedp.Evaluate(svgMeasure, &measured), chromedp.FullScreenshot(&picture, 100)); err != nil {
		t.Fatalf("Chromium: %v", err)
	}
	var layout svgLayout
	if err := json.Unmarshal([]byte(measured), &layout); err != nil {
		t.Fatal(err)
	}
	return layout, picture
}

// writeDoc writes a picture into docs/ (PicturesEnv).
func writeDoc(t *testing.T, name string, data []byte) {
	t.Helper()
	path := filepath.Join(testenv.RepoRoot(t), "docs", name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", path, len(data))
}
