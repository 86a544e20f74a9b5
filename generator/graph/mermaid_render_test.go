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

// renderMermaid draws Mermaid source with the real Mermaid (the release make tools
// fetches, bin/mermaid.min.js) in Chromium, as GitHub does, and returns the text of
// the diagram it drew, or the error Mermaid reports.
func renderMermaid(t *testing.T, tab context.Context, source string) (string, error) {
	t.Helper()
	bundle, err := os.ReadFile(testenv.ToolFile(t, "mermaid.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	src, _ := json.Marshal(source)
	page := `<!doctype html><meta charset="utf-8"><body><div id="out"></div><script src="/mermaid.min.js"></script><script>
mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
mermaid.render("diagram", ` + string(src) + `).then(
  (r) => { const out = document.getElementById("out"); out.innerHTML = r.svg; out.querySelectorAll("style").forEach((s) => s.remove()); window.drawn = out.textContent; },
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
	err = chromedp.Run(ctx, chromedp.Navigate(server.URL),
		chromedp.Poll(`window.drawn !== undefined || window.failed !== undefined`, &done, chromedp.WithPollingTimeout(time.Minute)),
		chromedp.Evaluate(`window.drawn || ""`, &drawn),
		chromedp.Evaluate(`window.failed || ""`, &failed))
	if err != nil {
		t.Fatalf("Chromium: %v", err)
	}
	if failed != "" {
		return "", fmt.Errorf("mermaid: %s", failed)
	}
	return drawn, nil
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
			for _, want := range c.want {
				if !strings.Contains(drawn, want) {
					t.Errorf("Mermaid drew no %q", want)
				}
			}
		})
	}
}
