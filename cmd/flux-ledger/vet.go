package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/render/owners"
)

func newVetCommand(opts *globalOptions) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "vet [DIR]",
		Short: "Validate the network's CUE module",
		Long: `Validate the network's CUE module (default: <repo>/cue): every schema rule, every
cross-reference, and that the network is fully concrete. The rules are the schema built
into this binary: a cue/schema/ that differs from it (a file changed, missing or extra)
is an error naming the files; 'flux-ledger init --upgrade-schema' writes the binary's.
Reviewers a Git host would ignore are refused too: a team of another organisation than
the repository's owner, and on Azure DevOps a party without an e-mail address.
Each problem is printed on one line as file:line:col: path: message, and each warning
(a valid network that will still surprise someone: one party's outage stopping a Besu
chain, a placeholder such as init writes — a name under a domain reserved for examples,
an egress CIDR reserved for documentation — with what to write there) likewise, on
stderr. Warnings do not fail vet; launch refuses placeholders. Exits 1 when the
network is invalid.

With -o json the result is one JSON object on stdout: {"dir", "valid", "network",
"parties", "clusters", "nodes", "warnings": [{"pos", "path", "message"}], "issues": [...]}.`,
		Example: `  flux-ledger vet
  flux-ledger vet ./cue
  flux-ledger vet -o json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "text" && output != "json" {
				return fmt.Errorf("--output %q: want text or json", output)
			}
			dir, result, err := loadModule(opts, args)
			// Reviewers a Git host would ignore (teams of another organisation, no
			// e-mail address on Azure DevOps) leave paths without owners.
			if err == nil {
				if ownersErr := owners.Check(result.Network); ownersErr != nil {
					err = fmt.Errorf("%s: %w", filepath.Join(dir, "network.cue"), ownersErr)
				}
			}
			if output == "json" {
				return vetJSON(cmd.OutOrStdout(), dir, result, err)
			}
			if err != nil {
				return err
			}
			for _, w := range result.Warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "flux-ledger: warning:", w)
			}
			n := result.Network
			fmt.Fprintf(cmd.OutOrStdout(), "%s: network %q is valid (%d parties, %d clusters, %d nodes)\n",
				dir, n.Name, len(n.Parties), len(n.Clusters), len(n.Nodes))
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

// vetReport is vet's -o json output.
type vetReport struct {
	Dir      string       `json:"dir"`
	Valid    bool         `json:"valid"`
	Network  string       `json:"network,omitempty"`
	Parties  int          `json:"parties"`
	Clusters int          `json:"clusters"`
	Nodes    int          `json:"nodes"`
	Warnings []load.Issue `json:"warnings"`
	Issues   []load.Issue `json:"issues"`
}

func vetJSON(w io.Writer, dir string, result *load.Result, loadErr error) error {
	report := vetReport{Dir: dir, Valid: loadErr == nil, Warnings: []load.Issue{}, Issues: []load.Issue{}}
	if loadErr != nil {
		var invalid *load.Error
		if errors.As(loadErr, &invalid) {
			report.Issues = invalid.Issues
		} else {
			report.Issues = []load.Issue{{Message: loadErr.Error()}}
		}
	} else {
		n := result.Network
		report.Network, report.Parties, report.Clusters, report.Nodes = n.Name, len(n.Parties), len(n.Clusters), len(n.Nodes)
		report.Warnings = append(report.Warnings, result.Warnings...)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(report); err != nil {
		return err
	}
	if loadErr != nil {
		return &exitError{code: 1, err: fmt.Errorf("%s: the network is invalid (%d issues)", dir, len(report.Issues))}
	}
	return nil
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
