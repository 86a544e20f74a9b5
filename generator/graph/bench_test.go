package graph_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/graph"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// synthNetwork is the synthetic network of n parties the generator's benchmarks use
// (4 nodes each, every provider and exposure mode).
func synthNetwork(t testing.TB, n int) *model.Network {
	t.Helper()
	result, err := load.Network(testenv.Module(t, map[string]string{"network.cue": testenv.Synth(t, n)}))
	if err != nil {
		t.Fatal(err)
	}
	return result.Network
}

// BenchmarkGraph builds the picture and writes it in each format, at 30 and 300 parties.
func BenchmarkGraph(b *testing.B) {
	for _, n := range []int{30, 300} {
		network := synthNetwork(b, n)
		for _, format := range []string{"svg", "mermaid", "dot"} {
			b.Run(fmt.Sprintf("parties=%d/%s", n, format), func(b *testing.B) {
				for b.Loop() {
					g, err := graph.Build(network, graph.Options{})
					if err != nil {
						b.Fatal(err)
					}
					switch format {
					case "svg":
						err = g.SVG(io.Discard)
					case "mermaid":
						err = g.Mermaid(io.Discard)
					case "dot":
						err = g.DOT(io.Discard)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
