package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
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

// renderMermaid draws Mermaid source with the real Mermaid (the release make tools
// fetches, bin/mermaid.min.js) in Chromium, as GitHub does, and returns the text of
// the diagram it drew, or the error Mermaid reports. The diagram keeps the stylesheet
// Mermaid writes into it (its fonts set the size of every label); the text is read
// from a copy without it.
func renderMermaid(t *testing.T, tab context.Context, source string) (string, error) {
	t.Helper()
	drawn, _, err := renderMermaidPicture(t, tab, source)
	return drawn, err
}

// renderMermaidPicture is renderMermaid with a screenshot of what Mermaid drew (PNG).
func renderMermaidPicture(t *testing.T, tab context.Context, source string) (string, []byte, error) {
	t.Helper()
	bundle, err := os.ReadFile(testenv.ToolFile(t, "mermaid.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	src, _ := json.Marshal(source)
	page := `<!doctype html><meta charset="utf-8"><body><div id="out"></div><script src="/mermaid.min.js"></script><script>
mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
mermaid.render("diagram", ` + string(src) + `).then(
  (r) => { const out = document.getElementById("out"); out.innerHTML = r.svg; const copy = out.cloneNode(true); copy.querySelectorAll("style").forEach((s) => s.remove()); window.drawn = copy.textContent; },
  (e) => { window.failed = String(e && e.message || e); });
</script>`
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/mermaid.min.js" {
			w.Header().Set("Content-Type", "text/javascript")
			w.Write(bundle)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	}))
	defer server.Close()
	ctx, cancel := context.WithTimeout(tab, 2*time.Minute)
	defer cancel()
	var done bool
	var drawn, failed string
	var picture []byte
	err = chromedp.Run(ctx, chromedp.Navigate(server.URL),
		chromedp.Poll(`window.drawn !== undefined || window.failed !== undefined`, &done, chromedp.WithPollingTimeout(time.Minute)),
		chromedp.Evaluate(`window.drawn || ""`, &drawn),
		chromedp.Evaluate(`window.failed || ""`, &failed))
	if err != nil {
		t.Fatalf("Chromium: %v", err)
	}
	if failed != "" {
		return "", nil, fmt.Errorf("mermaid: %s", failed)
	}
	if err := chromedp.Run(ctx, chromedp.Screenshot("#out", &picture, chromedp.ByQuery)); err != nil {
		t.Fatalf("Chromium screenshot: %v", err)
	}
	return drawn, picture, nil
}

// The Mermaid flux-ledger writes is read by the real Mermaid, which draws every party,
// cluster and node label verbatim — the golden file of the reference network, odd
// names (entities decoded, nothing read as markup) and a change with its marks.
func TestMermaidDrawsEveryLabel(t *testing.T) {
	tab := testenv.Browser(t, 1200, 800, nil)
	network := reference(t)
	golden, err := os.ReadFile(filepath.Join("testdata", "tradenet.mmd"))
	if err != nil {
		t.Fatal(err)
	}
	reference := []string{}
	for _, name := range network.PartyNames() {
		reference = append(reference, network.Parties[name].DisplayName+" ("+name+")")
	}
	for _, name := range network.ClusterNames() {
		c := network.Clusters[name]
		reference = append(reference, name, c.Provider+" · "+c.Region)
	}
	for _, name := range network.NodeNames() {
		if network.Nodes[name].IsValidator() {
			name = "★ " + name
		}
		reference = append(reference, name)
	}
	var odd []string
	for _, name := range oddNames {
		odd = append(odd, name+" display ("+name+")", "★ "+name+" node", name+" member")
	}
	head := *network
	head.Nodes = maps.Clone(network.Nodes)
	added := head.Nodes["fabrikam-member-1"]
	added.Name = "fabrikam-member-2"
	head.Nodes[added.Name] = added
	delete(head.Nodes, "contoso-rpc-1")
	change, err := graph.BuildChange(network, &head, graph.Options{Marks: map[string]string{
		graph.Key("node", "fabrikam-member-2"):     graph.Added,
		graph.Key("node", "contoso-rpc-1"):         graph.Removed,
		graph.Key("cluster", "northwind-eks-euc1"): graph.Changed,
	}})
	if err != nil {
		t.Fatal(err)
	}
	fabric := fabricReference(t)
	cases := []struct {
		name   string
		source string
		want   []string
	}{
		{"reference golden", string(golden), reference},
		{"odd names", string(render(t, oddGraph(), "mermaid")), odd},
		{"a change", string(render(t, change, "mermaid")), []string{"fabrikam-member-2 (added)", "contoso-rpc-1 (removed)", "northwind-eks-euc1 (changed)"}},
		{"fabric", string(render(t, build(t, fabric, graph.Options{}), "mermaid")), append(fabric.NodeNames(), "channel trade", "consenter", "member")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			drawn, err := renderMermaid(t, tab, c.source)
			if err != nil {
				t.Fatal(err)
			}
			// Subgraph titles keep their words together with no-break spaces; a
			// reader sees spaces.
			drawn = strings.ReplaceAll(drawn, "\u00a0", " ")
			for _, want := range c.want {
				if !strings.Contains(drawn, want) {
					t.Errorf("Mermaid drew no %q", want)
				}
			}
		})
	}
}

// pixelsNear counts the pixels of a PNG within tolerance of a colour ("#rrggbb").
func pixelsNear(t *testing.T, picture []byte, hex string, tolerance int) int {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(picture))
	if err != nil {
		t.Fatal(err)
	}
	var want [3]int
	fmt.Sscanf(hex, "#%02x%02x%02x", &want[0], &want[1], &want[2])
	count := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			got := [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
			near := true
			for i := range got {
				if d := got[i] - want[i]; d > tolerance || d < -tolerance {
					near = false
				}
			}
			if near {
				count++
			}
		}
	}
	return count
}

// In the picture of a change as the real Mermaid draws it, every change mark shows in
// its own colour — none of them a role's — and a legend names each role and mark
// drawn; summarised, a cluster still names the nodes a change adds or removes.
func TestMermaidChangePictureHasDistinctColoursAndALegend(t *testing.T) {
	tab := testenv.Browser(t, 1600, 1000, nil)
	base := reference(t)
	head := *base
	head.Nodes = maps.Clone(base.Nodes)
	added := head.Nodes["fabrikam-member-1"]
	added.Name = "fabrikam-member-2"
	head.Nodes[added.Name] = added
	delete(head.Nodes, "contoso-rpc-1")
	marks := map[string]string{
		graph.Key("node", "fabrikam-member-2"):  graph.Added,
		graph.Key("node", "contoso-rpc-1"):      graph.Removed,
		graph.Key("node", "northwind-member-1"): graph.Changed,
	}
	change, err := graph.BuildChange(base, &head, graph.Options{Marks: marks, Detail: graph.DetailNodes})
	if err != nil {
		t.Fatal(err)
	}
	drawn, picture, err := renderMermaidPicture(t, tab, string(render(t, change, "mermaid")))
	if err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"legend", "validator", "member", "rpc", "added", "removed", "changed"} {
		if !strings.Contains(drawn, label) {
			t.Errorf("the legend has no %q", label)
		}
	}
	// Each mark's stroke (3 px around a node) is in the picture; the changed fill is
	// far from the validator's amber it used to resemble.
	for mark, stroke := range map[string]string{"added": "#1a7f37", "removed": "#cf222e", "changed": "#bf3989"} {
		if n := pixelsNear(t, picture, stroke, 6); n < 40 {
			t.Errorf("%s: %d pixels of its stroke %s drawn, want a visible outline", mark, n, stroke)
		}
	}
	if n := pixelsNear(t, picture, "#bf8700", 6); n > 0 {
		t.Errorf("%d pixels of the old amber change colour", n)
	}
	summary, err := graph.BuildChange(base, &head, graph.Options{Marks: marks, Detail: graph.DetailSummary})
	if err != nil {
		t.Fatal(err)
	}
	drawn, _, err = renderMermaidPicture(t, tab, string(render(t, summary, "mermaid")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"removed: contoso-rpc-1", "added: fabrikam-member-2", "changed: northwind-member-1"} {
		if !strings.Contains(drawn, want) {
			t.Errorf("the summarised picture does not say %q", want)
		}
	}
}
