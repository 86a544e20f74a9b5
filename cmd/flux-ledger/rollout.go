package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/gitops"
	"github.com/flux-ledger/flux-ledger/generator/launch"
)

func newRolloutCommand(opts *globalOptions) *cobra.Command {
	var base string
	cmd := &cobra.Command{
		Use:   "rollout [--base REV]",
		Short: "Stage the restarts a validator transition needs, one wave per pull request (cue/rollout.cue)",
		Example: `  flux-ledger rollout               # stage all but the next wave of restarts in cue/rollout.cue
  flux-ledger rollout --base main`,
		Long: `Besu reads its genesis config only when it starts, so every node restarts to learn a
new governance.transitions entry, and must before the transition's block. Restarting
every validator at once would stop the chain: at most f = ⌊(n−1)/3⌋ of them may be down
at once, and a party's validators restart together when its cluster applies a change.

rollout compares the network in the working tree with the base revision (default: the
merge base with the default branch, else HEAD) and rewrites cue/rollout.cue
(governance.restartHeld) so that this pull request restarts the next wave — every member
and RPC node still behind, and at most f validators, one per party — and holds the rest.
Merge it, wait until flux-ledger status shows the wave's validators back (peers
connected, blocks advancing), then run rollout again on the next pull request. plan
refuses a change that restarts more than a wave.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, commit, err := resolveBase(opts.repo, base)
			if err != nil {
				return err
			}
			before, err := gitops.NetworkAt(commit)
			if err != nil {
				return err
			}
			wave, written, err := launch.RecordRollout(opts.repo, before)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, p := range written {
				fmt.Fprintln(out, "wrote", p)
			}
			fmt.Fprintf(out, "restarts now: %s\n", strings.Join(wave.Restart, ", "))
			if len(wave.Held) == 0 {
				fmt.Fprintf(out, "held: none; this is the last wave: every node then runs the transitions before block %d\n", wave.Deadline)
				return nil
			}
			fmt.Fprintf(out, "held for %d more waves: %s\n", wave.WavesLeft, strings.Join(slices.Sorted(maps.Keys(wave.Held)), ", "))
			fmt.Fprintf(out, "every node must run the new genesis config before block %d: after merging, wait until flux-ledger status shows these validators back, then run flux-ledger rollout again\n", wave.Deadline)
			return nil
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "revision the network runs now (default: merge base with the default branch, else HEAD)")
	return cmd
}
