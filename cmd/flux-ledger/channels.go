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
		Short: "Record what a running Fabric channel's config holds",
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
	cmd.AddCommand(record)
	return cmd
}
