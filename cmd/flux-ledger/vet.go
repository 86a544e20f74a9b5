package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/render/owners"
)

func newVetCommand(opts *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "vet [DIR]",
		Short: "Validate the network's CUE module",
		Long: `Validate the network's CUE module (default: <repo>/cue): every schema rule, every
cross-reference, and that the network is fully concrete. The rules are the schema built
into this binary: a cue/schema/ that differs from it (a file changed, missing or extra)
is an error naming the files; 'flux-ledger init --upgrade-schema' writes the binary's.
Reviewers a Git host would ignore are refused too: a team of another organisation than
the repository's owner, and on Azure DevOps a party without an e-mail address.
Each problem is printed on one line as file:line:col: path: message. Exits 1 when the
network is invalid.`,
		Example: `  flux-ledger vet
  flux-ledger vet ./cue`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, result, err := loadModule(opts, args)
			if err != nil {
				return err
			}
			n := result.Network
			// Reviewers a Git host would ignore (teams of another organisation, no
			// e-mail address on Azure DevOps) leave paths without owners.
			if err := owners.Check(n); err != nil {
				return fmt.Errorf("%s: %w", filepath.Join(dir, "network.cue"), err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: network %q is valid (%d parties, %d clusters, %d nodes)\n",
				dir, n.Name, len(n.Parties), len(n.Clusters), len(n.Nodes))
			return nil
		},
	}
}

// loadModule loads the network of the CUE module named by the command's optional DIR
// argument, else <repo>/cue.
func loadModule(opts *globalOptions, args []string) (string, *load.Result, error) {
	dir := filepath.Join(opts.repo, "cue")
	if len(args) == 1 {
		dir = args[0]
	}
	result, err := load.Network(dir)
	return dir, result, err
}
