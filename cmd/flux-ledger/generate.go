package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator"
)

func newGenerateCommand(opts *globalOptions) *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:   "generate [--check]",
		Short: "Render every party's and cluster's directory from the network",
		Long: `Validate cue/, render the desired tree in memory, and write only the files whose bytes
differ: parties/<party>/, clusters/<cluster>/ and .sops.yaml. Stale generated files are
removed; parties/<party>/secrets/ (written by flux-ledger keys) is never touched.
Regenerating an unchanged network writes nothing ("0 changed").

With --check nothing is written: the command lists the out-of-date files and exits 1
if there are any (the CI drift check).`,
		Example: `  flux-ledger generate
  flux-ledger generate --check`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			report, err := generator.Generate(generator.Options{Repo: opts.repo, Check: check})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			printReport(out, report, check)
			if check && len(report.Changes) > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d generated files are out of date: run flux-ledger generate", len(report.Changes))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "write nothing; exit 1 if any generated file is out of date")
	return cmd
}

func printReport(w io.Writer, report *generator.Report, check bool) {
	verb := map[bool]string{false: "", true: "out of date: "}[check]
	for _, s := range report.Summaries() {
		var parts []string
		for _, p := range []struct {
			n    int
			what string
		}{{s.Added, "added"}, {s.Changed, "changed"}, {s.Removed, "removed"}} {
			if p.n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
			}
		}
		fmt.Fprintf(w, "%s%s: %s\n", verb, s.Dir, strings.Join(parts, ", "))
	}
	if check {
		for _, c := range report.Changes {
			fmt.Fprintf(w, "  %s %s\n", c.Action, c.Path)
		}
	}
	for _, o := range report.Orphans {
		fmt.Fprintf(w, "note: %s belongs to no node; delete it with its cue/identities file\n", o)
	}
	fmt.Fprintf(w, "%d changed\n", len(report.Changes))
}
