package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/gitops"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/plan"
)

func newPlanCommand(opts *globalOptions) *cobra.Command {
	var base, output string
	cmd := &cobra.Command{
		Use:   "plan [--base REV] [--output text|markdown|json]",
		Short: "Summarise what a topology change does, for its reviewers",
		Long: `Compare the network at a base revision (default: the merge base of HEAD with the
default branch, else HEAD) with the working tree: parties, clusters and nodes added,
removed or changed (which fields), generated files changed per directory, and the
consequences — genesis changes, validator votes, peer lists, secrets to re-encrypt.
A change the network refuses (a genesis change once launched, a node without identity)
is listed under REFUSED and exits 1. --output markdown is a pull-request comment,
--output json the stable schema documented in the README.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, err := gitops.Open(opts.repo)
			if err != nil {
				return err
			}
			commit, err := gitops.DefaultBase(repo)
			if base != "" {
				commit, err = gitops.Resolve(repo, base)
			}
			if err != nil {
				return err
			}
			before, err := gitops.NetworkAt(commit)
			if err != nil {
				return err
			}
			after, err := load.Network(filepath.Join(opts.repo, "cue"))
			if err != nil {
				return err
			}
			label := commit.Hash.String()[:12]
			if base != "" {
				label = base + " (" + label + ")"
			}
			p, err := plan.Compute(label, before, after.Network)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch output {
			case "text":
				p.Text(out)
			case "markdown":
				p.Markdown(out)
			case "json":
				if err := p.JSON(out); err != nil {
					return err
				}
			default:
				return fmt.Errorf("--output %q: want text, markdown or json", output)
			}
			if len(p.Refused) > 0 {
				return &exitError{code: 1, err: fmt.Errorf("the change is refused (%d reasons)", len(p.Refused))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "revision to compare with (default: merge base with the default branch, else HEAD)")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text, markdown or json")
	return cmd
}
