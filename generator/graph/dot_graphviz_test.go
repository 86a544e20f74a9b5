package graph_test

import (
	"bytes"
	"os/exec"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/graph"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// The real Graphviz (Debian's graphviz, bin/dot from make tools) reads every DOT
// picture and draws every label verbatim: quoting is checked by the program that
// parses it, not by the code that wrote it.
func TestGraphvizDrawsEveryLabel(t *testing.T) {
	dot := testenv.Tool(t, "dot")
	network := reference(t)
	var reference, odd []string
	for _, name := range network.NodeNames() {
		if network.Nodes[name].IsValidator() {
			name = "★ " + name
		}
		reference = append(reference, name)
	}
	for _, name := range oddNames {
		odd = append(odd, name+" display ("+name+")", "★ "+name+" node", name+" member")
	}
	fabric := fabricReference(t)
	fabricWant := append(fabric.NodeNames(), "channel trade", "consenter", "member")
	cases := map[string]struct {
		g    *graph.Graph
		want []string
	}{
		"reference": {build(t, network, graph.Options{}), reference},
		"odd names": {oddGraph(), odd},
		"fabric":    {build(t, fabric, graph.Options{}), fabricWant},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(dot, "-Tsvg")
			cmd.Stdin = bytes.NewReader(render(t, c.g, "dot"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil || stderr.Len() > 0 {
				t.Fatalf("dot: %v\n%s", err, stderr.String())
			}
			texts := parseSVG(t, out).texts
			for _, want := range c.want {
				if !contains(texts, want) {
					t.Errorf("Graphviz drew no text %q", want)
				}
			}
		})
	}
}
