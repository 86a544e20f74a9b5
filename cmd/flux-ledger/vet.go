package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/scaffold"
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
			dir, result, err := loadModule(opts, args)
			if err != nil {
				return err
			}
			n := result.Network
			fmt.Fprintf(cmd.OutOrStdout(), "%s: network %q is valid (%d parties, %d clusters, %d nodes)\n",
				dir, n.Name, len(n.Parties), len(n.Clusters), len(n.Nodes))
			return warnSchemaDrift(cmd.ErrOrStderr(), filepath.Dir(filepath.Clean(dir)))
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

// warnSchemaDrift tells the user when the repository's cue/schema/ is not the schema
// this binary renders for: a network valid under one may render wrongly with the other.
func warnSchemaDrift(w io.Writer, repo string) error {
	drift, err := scaffold.SchemaDrift(repo)
	if err != nil {
		return err
	}
	if len(drift) > 0 {
		fmt.Fprintf(w, "flux-ledger: warning: cue/schema/ differs from the schema of flux-ledger %s (%s): run the flux-ledger version this repository was made with, or upgrade it with 'flux-ledger init --upgrade-schema' and review the diff\n",
			Version(), strings.Join(drift, ", "))
	}
	return nil
}
