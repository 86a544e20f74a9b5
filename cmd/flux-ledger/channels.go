package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/launch"
)

func newChannelsCommand(opts *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "channels",
		Short: "Record what a running Fabric channel's config holds, and sign its pending update",
	}
	var channel, from string
	record := &cobra.Command{
		Use:   "record --channel C [--from FILE]",
		Short: "Record a running channel's config (cue/channels.cue)",
		Long: `Rewrite the channel's entry in cue/channels.cue (fabric.channels.<channel>.onChain):
the config sequence, the member parties and the consenters the channel's config holds,
and the config itself, from which the next config update's read set is taken.

--from reads a config block fetched with 'peer channel fetch config'; without it the
record is the frozen genesis block's config (sequence 0), as right after launch. The
difference between the record and the model is the pending change: flux-ledger
generate renders its unsigned update under channels/<channel>/updates/, and vet and
plan refuse a second change on the same channel until this record shows the first.`,
		Example: `  peer channel fetch config trade.block -c trade -o orderer0.contoso.example:7050 --tls --cafile …
  flux-ledger channels record --channel trade --from trade.block`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			state, written, err := launch.RecordChannel(opts.repo, channel, from)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, p := range written {
				fmt.Fprintln(out, "wrote", p)
			}
			fmt.Fprintf(out, "channel %s at config sequence %d: members %s; consenters %s\n",
				channel, state.Sequence, strings.Join(state.Members, ", "), strings.Join(state.Consenters, ", "))
			return nil
		},
	}
	record.Flags().StringVar(&channel, "channel", "", "the channel to record")
	record.Flags().StringVar(&from, "from", "", "a config block from 'peer channel fetch config' (default: the frozen genesis block)")
	_ = record.MarkFlagRequired("channel")
	cmd.AddCommand(record, newChannelsSignCommand(opts))
	return cmd
}

func newChannelsSignCommand(opts *globalOptions) *cobra.Command {
	var channel, party, identityFile string
	sign := &cobra.Command{
		Use:   "sign --channel C --party P [--identity FILE]",
		Short: "Sign a running channel's pending config update as one party's admin",
		Long: `Sign the channel's pending config update (the one flux-ledger generate renders under
channels/<channel>/updates/) as the party's MSP admin, as 'peer channel signconfigtx'
would, and record the signature in cue/signatures_<party>.cue for the pull request.

The admin's key is read from the party's own sealed Secret
(parties/<party>/secrets/msp-admin.yaml), decrypted in memory with the party's age
identity (--identity FILE, or the file named by SOPS_AGE_KEY_FILE), checked against the
party's admin certificate (cue/msp/<party>.cue) and written nowhere. Each party signs on
its own machine with its own key; flux-ledger plan checks every recorded signature and
counts them against the update's policy.`,
		Example: `  flux-ledger channels sign --channel trade --party contoso --identity contoso.agekey`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ids, err := loadIdentities(identityFile)
			if err != nil {
				return err
			}
			result, err := launch.SignChannel(opts.repo, channel, party, ids)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, p := range result.Written {
				fmt.Fprintln(out, "wrote", p)
			}
			if result.Already {
				fmt.Fprintf(out, "party %s has already signed %s (config sequence %d)\n", party, result.Update, result.Sequence)
			} else {
				fmt.Fprintf(out, "party %s signed %s (config sequence %d)\n", party, result.Update, result.Sequence)
			}
			for _, s := range result.Signatures {
				fmt.Fprintf(out, "%s (%s): %s\n", s.Policy, s.Rule, s.Progress())
			}
			return nil
		},
	}
	sign.Flags().StringVar(&channel, "channel", "", "the channel whose pending update to sign")
	sign.Flags().StringVar(&party, "party", "", "the party whose admin signs")
	sign.Flags().StringVar(&identityFile, "identity", "", "the party's age identity file (default $SOPS_AGE_KEY_FILE)")
	_ = sign.MarkFlagRequired("channel")
	_ = sign.MarkFlagRequired("party")
	return sign
}
