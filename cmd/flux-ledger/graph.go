package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/graph"
)

func newGraphCommand(opts *globalOptions) *cobra.Command {
	var output, file, detail string
	cmd := &cobra.Command{
		Use:   "graph [DIR] [--output svg|mermaid|dot] [--file PATH]",
		Short: "Draw the network's topology as SVG, Mermaid or DOT",
		Long: `Draw the network described in the CUE module (default: <repo>/cue) from the model
alone: parties, their clusters with provider and region, each cluster's exposure (where
other clusters' nodes dial it), its nodes by role with the validators marked (★), and
the p2p links. Every node dials every other (static nodes, full mesh): the SVG draws
that as a bus, Mermaid and DOT as links between clusters' exposures. On a Fabric
network the nodes are orderers and peers, and each channel is drawn linked to its
consenters and to its members' peers.

Above 60 nodes each cluster shows its nodes counted by role instead of one box per node
(--detail nodes|summary overrides); above 6 clusters the links meet in one hub instead
of joining every pair. The same network always gives the same bytes.

--output svg is a standalone SVG document (no scripts, fonts or links), mermaid a
Mermaid flowchart (GitHub and Azure DevOps render it in Markdown), dot a Graphviz graph
(dot -Tpng). Written to standard output, or to --file.`,
		Example: `  flux-ledger graph --file docs/network.svg
  flux-ledger graph --output mermaid
  flux-ledger graph --output dot | dot -Tpng > network.png`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			write := map[string]func(*graph.Graph, *bytes.Buffer) error{
				"svg":     func(g *graph.Graph, b *bytes.Buffer) error { return g.SVG(b) },
				"mermaid": func(g *graph.Graph, b *bytes.Buffer) error { return g.Mermaid(b) },
				"dot":     func(g *graph.Graph, b *bytes.Buffer) error { return g.DOT(b) },
			}[output]
			if write == nil {
				return fmt.Errorf("--output %q: want svg, mermaid or dot", output)
			}
			_, result, err := loadModule(opts, args)
			if err != nil {
				return err
			}
			g, err := graph.Build(result.Network, graph.Options{Detail: detail})
			if err != nil {
				return fmt.Errorf("--detail: %w", err)
			}
			var b bytes.Buffer
			if err := write(g, &b); err != nil {
				return err
			}
			if file == "" {
				_, err = cmd.OutOrStdout().Write(b.Bytes())
				return err
			}
			return os.WriteFile(file, b.Bytes(), 0o644)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "svg", "svg, mermaid or dot")
	cmd.Flags().StringVar(&file, "file", "", "write to this file instead of standard output")
	cmd.Flags().StringVar(&detail, "detail", graph.DetailAuto, "auto, nodes (one box per node) or summary (nodes counted by role)")
	return cmd
}
