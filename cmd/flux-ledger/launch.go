package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/launch"
)

func newLaunchCommand(opts *globalOptions) *cobra.Command {
	var launchOpts launch.Options
	cmd := &cobra.Command{
		Use:   "launch",
		Short: "Freeze the genesis when the chain starts; validators then change on chain",
		Long: `Record the network's genesis once, byte for byte, in cue/genesis.cue (which also sets
launched: true), and the validators the chain starts with in cue/validators.cue
(governance.onChain). From then on no change to the model alters block 0: a validator
joins or leaves by a vote of the current validators (or a Besu transition), one change
at a time, and flux-ledger plan shows each step.

Run it once every validator has its identity, after flux-ledger generate, and commit
both files with the generated tree the nodes start from. It refuses a network already
launched, and a repository whose rendered genesis differs from the one it would record.

On Fabric it records each channel's genesis config block (base64) in cue/genesis.cue:
every orderer and peer joins exactly those bytes, and only then are the join and
chaincode Jobs rendered. It also records what each new channel's config holds (the
genesis config, sequence 0) in cue/channels.cue, where flux-ledger channels record
keeps it current. A channel added later is frozen by running launch again.

It refuses, writing nothing, while the network holds a placeholder: a repository URL,
DNS suffix, contact or reviewer under a domain reserved for examples (example,
example.com/.net/.org, test, invalid, localhost), or an egress CIDR reserved for
documentation (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32,
3fff::/20), as flux-ledger init writes them. flux-ledger vet names each with what to
write there. --allow-placeholders launches anyway: for example networks only.`,
		Example: `  flux-ledger keys init --all && flux-ledger generate
  flux-ledger vet      # no placeholder warnings left
  flux-ledger launch
  git add -A && git commit -m "Launch tradenet: freeze its genesis"
  flux-ledger launch --allow-placeholders   # an example network, never to run for real`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			result, err := launch.LaunchWith(opts.repo, launchOpts)
			if err == nil && len(result.Channels) > 0 {
				return printList(cmd, result.Written, "genesis blocks frozen for %d channels: %s\n", result.Channels)
			}
			return printRecords(cmd, result, err, "genesis frozen with %d validators: %s\n")
		},
	}
	cmd.Flags().BoolVar(&launchOpts.AllowPlaceholders, "allow-placeholders", false, "launch although the network holds placeholder values (example networks only)")
	return cmd
}

func newValidatorsCommand(opts *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "validators",
		Short: "Record a launched network's on-chain validator set",
	}
	var height uint64
	record := &cobra.Command{
		Use:   "record [--height N]",
		Short: "Record that the pending validator change is on chain (cue/validators.cue)",
		Example: `  flux-ledger validators record                 # once flux-ledger status shows the chain has the new set
  flux-ledger validators record --height 120345 # also record the chain height, for a transition`,
		Long: `Rewrite cue/validators.cue (governance.onChain) with the desired validators, once
flux-ledger status shows the chain has the pending change. Commit it by pull request:
plan asks every party to approve the new record, and the next validator change can
only start from it.

--height records the chain's block height as flux-ledger status shows it
(governance.height), with or without a validator change pending: a new transition's
block must leave time after it to restart every node, wave by wave, and plan refuses
one that does not.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			result, err := launch.RecordValidators(opts.repo, height)
			return printRecords(cmd, result, err, "%d validators on chain: %s\n")
		},
	}
	record.Flags().Uint64Var(&height, "height", 0, "the chain's block height, as flux-ledger status shows it")
	cmd.AddCommand(record)
	return cmd
}

// printRecords lists the records written and the validators, in summary's form (a
// count, then the names).
func printRecords(cmd *cobra.Command, result *launch.Result, err error, summary string) error {
	if err != nil {
		return err
	}
	return printList(cmd, result.Written, summary, result.Validators)
}

func printList(cmd *cobra.Command, written []string, summary string, names []string) error {
	out := cmd.OutOrStdout()
	for _, p := range written {
		fmt.Fprintln(out, "wrote", p)
	}
	fmt.Fprintf(out, summary, len(names), strings.Join(names, ", "))
	return nil
}
