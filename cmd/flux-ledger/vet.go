package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/load"
)

func newVetCommand(opts *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "vet [DIR]",
		Short: "Validate the network's CUE module",
		Long: `Validate the network's CUE module (default: <repo>/cue): every schema rule, every
cross-reference, and that the network is fully concrete. Each problem is printed on one
line as file:line:col: path: message. Exits 1 when the network is invalid.`,
		Example: `  flux-ledger vet
  flux-ledger vet ./cue`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := filepath.Join(opts.repo, "cue")
			if len(args) == 1 {
				dir = args[0]
			}
			result, err := load.Network(dir)
			if err != nil {
				return err
			}
			n := result.Network
			fmt.Fprintf(cmd.OutOrStdout(), "%s: network %q is valid (%d parties, %d clusters, %d nodes)\n",
				dir, n.Name, len(n.Parties), len(n.Clusters), len(n.Nodes))
			return nil
		},
	}
}
