package plan_test

import (
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/plan"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

func loadNetwork(t testing.TB, dir string) *model.Network {
	t.Helper()
	result, err := load.Network(dir)
	if err != nil {
		t.Fatal(err)
	}
	return result.Network
}

// edit returns a copy of n whose node maps can be changed without touching n.
func edit(n *model.Network) *model.Network {
	c := *n
	c.Nodes = maps.Clone(n.Nodes)
	c.Identities = maps.Clone(n.Identities)
	return &c
}

func markdown(t *testing.T, base, head *model.Network) string {
	t.Helper()
	p, err := plan.Compute("main", base, head)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	p.Markdown(&b)
	return b.String()
}

// mermaidBlock is the fenced Mermaid diagram of a markdown plan.
func mermaidBlock(t *testing.T, md string) string {
	t.Helper()
	_, rest, ok := strings.Cut(md, "```mermaid\n")
	if !ok {
		t.Fatalf("no Mermaid diagram in:\n%s", md)
	}
	block, _, ok := strings.Cut(rest, "```\n")
	if !ok {
		t.Fatalf("Mermaid fence not closed:\n%s", md)
	}
	return block
}

// The markdown plan draws the topology after the change, with the added, removed and
// changed nodes marked by class and in words.
func TestMarkdownPlanDrawsTheChange(t *testing.T) {
	base := loadNetwork(t, filepath.Join(testenv.RepoRoot(t), "cue"))
	head := edit(base)
	added := head.Nodes["fabrikam-member-1"]
	added.Name, added.Endpoint.Port = "fabrikam-member-2", 30306
	head.Nodes[added.Name] = added
	head.Identities[added.Name] = head.Identities["fabrikam-member-1"]
	delete(head.Nodes, "contoso-rpc-1")
	changed := head.Nodes["northwind-member-1"]
	changed.Resources.Limits.Memory = "8Gi"
	head.Nodes[changed.Name] = changed

	block := mermaidBlock(t, markdown(t, base, head))
	for _, want := range []string{
		`n_fabrikam_2dmember_2d2(["fabrikam-member-2 (added)<br/>member"])`,
		`n_contoso_2drpc_2d1(["contoso-rpc-1 (removed)<br/>rpc"])`,
		`n_northwind_2dmember_2d1(["northwind-member-1 (changed)<br/>member"])`,
		"class n_fabrikam_2dmember_2d2,legend_added added",
		"class n_contoso_2drpc_2d1,legend_removed removed",
		"class n_northwind_2dmember_2d1,legend_changed changed",
		"n_contoso_2drpc_2d1 -.- x_contoso_2daks_2dweu",
	} {
		if !strings.Contains(block, want) {
			t.Errorf("diagram lacks %q:\n%s", want, block)
		}
	}
	if md := markdown(t, base, base); strings.Contains(md, "```mermaid") {
		t.Errorf("a plan without topology change draws a diagram:\n%s", md)
	}
}

// A large network's plan draws only the parties the change touches, and says how
// many it leaves out.
func TestMarkdownPlanOfALargeNetworkDrawsWhatChanges(t *testing.T) {
	base := loadNetwork(t, testenv.Module(t, map[string]string{"network.cue": testenv.Synth(t, 30)}))
	head := edit(base)
	delete(head.Nodes, "p0007-rpc-3")
	block := mermaidBlock(t, markdown(t, base, head))
	if !strings.Contains(block, `subgraph p_p0007[`) || strings.Count(block, "subgraph p_") != 1 {
		t.Errorf("diagram should draw party p0007 alone:\n%s", block)
	}
	if !strings.Contains(block, "29 more parties not shown: no party, cluster or node of theirs changes") {
		t.Errorf("diagram does not count the parties it leaves out:\n%s", block)
	}
}
