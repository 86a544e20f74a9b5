package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/dashboard"
	"github.com/flux-ledger/flux-ledger/generator/gitops"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/status"
)

func newStatusCommand(opts *globalOptions) *cobra.Command {
	var kubeconfig, output string
	var contextMap []string
	var timeout, watch time.Duration
	var serve string
	cmd := &cobra.Command{
		Use:   "status [--context-map CLUSTER=CONTEXT,...] [--output table|json] [--watch INTERVAL] [--serve ADDR]",
		Short: "Show the whole network's state across every party's cluster",
		Long: `Read every cluster of the network (in parallel, each with its own timeout) and report
per cluster and party: the Flux Kustomizations' state (Ready, Reconciling, Stalled,
Failed, Suspended) with their reason, the applied revision against the repository's
HEAD, ledger node readiness and Kyverno PolicyReport counts. A cluster's kube context
is --context-map, else its kubeContext in cue/, else its name.

For each party that runs an RPC node, status also reads the chain through that
node's Service (the cluster's API server proxy, same credentials): the validators
at the latest block against the desired ones (the nodes whose role is validator),
each pending change with the votes that landed since the last epoch block (at most
the newest 256 blocks) and whose validators have not voted yet, and who proposed
the last two rounds of blocks (<qbft|ibft>_getSignerMetrics): a validator that
proposed none of them is named with its party. An RPC node that cannot be reached
is reported; it does not change the exit code.

On Fabric, for each launched channel, status reads each member party's channel
observer (a CronJob in the cluster of the party's first peer that fetches the
channel's config block from the orderers every 10 minutes and leaves a summary in its
pod's termination message): the config sequence, members and consenters on chain as
each party read them (and whether they disagree), against the model and the record
(cue/channels.cue), and the pending config update with the signatures it still
needs, as plan computes them. A missing observation says why (no observer run yet,
the observer's last failure, an unreadable cluster); it does not change the exit
code either.

Also on Fabric, status reads each peer's ledger height per channel from its
operations service (GET /metrics through the cluster's API server proxy:
ledger_blockchain_height) and shows how many blocks each is behind the highest
peer of any party; a party whose API server refuses the proxy is shown as not
shared. This does not change the exit code either.

With --serve ADDR, serve a read-only web dashboard instead (assets embedded, nothing
fetched from elsewhere): the topology picture coloured by each cluster's state, the
status table per cluster and party, and the same report as JSON at /api/status. The
clusters are read every --watch INTERVAL (default 10s) with the same per-cluster
timeout. ADDR without a host (":8080") listens on 127.0.0.1 only; a loopback
dashboard answers only to loopback host names.

Also runs as the Flux CLI plugin: flux ledger status.

Exit codes: 0 every cluster Ready at HEAD, 1 some not ready or behind, 2 some
cluster unreachable.`,
		Example: `  flux-ledger status
  flux ledger status --context-map contoso-aks-weu=aks-prod --output json
  flux-ledger status --serve :8080`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			result, err := load.Network(filepath.Join(opts.repo, "cue"))
			if err != nil {
				return err
			}
			statusOpts := status.Options{Kubeconfig: kubeconfig, Contexts: map[string]string{}, Timeout: timeout}
			for _, pair := range contextMap {
				cluster, kubeContext, ok := strings.Cut(pair, "=")
				if _, known := result.Network.Clusters[cluster]; !ok || !known {
					return fmt.Errorf("--context-map %q: want CLUSTER=CONTEXT with a cluster of the network", pair)
				}
				statusOpts.Contexts[cluster] = kubeContext
			}
			if repo, err := gitops.Open(opts.repo); err == nil {
				if head, err := gitops.Resolve(repo, "HEAD"); err == nil {
					statusOpts.Head = head.Hash.String()
					statusOpts.Behind = func(sha string) int { return gitops.CommitsBehind(repo, head, sha, 1000) }
				}
			}
			if output != "table" && output != "json" {
				return fmt.Errorf("--output %q: want table or json", output)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			if serve != "" {
				return dashboard.Serve(ctx, serve, dashboard.Options{
					Network:  result.Network,
					Collect:  func(ctx context.Context) *status.Report { return status.Collect(ctx, result.Network, statusOpts) },
					Interval: watch,
				}, func(url string) { fmt.Fprintf(cmd.OutOrStdout(), "serving the dashboard on %s (Ctrl-C stops)\n", url) })
			}
			for {
				report := status.Collect(ctx, result.Network, statusOpts)
				if watch > 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "\n%s\n", time.Now().Format(time.TimeOnly))
				}
				if output == "json" {
					err = report.JSON(cmd.OutOrStdout())
				} else {
					err = report.Table(cmd.OutOrStdout())
				}
				if err != nil {
					return err
				}
				if watch <= 0 {
					if code := report.ExitCode(); code != 0 {
						return &exitError{code: code, err: fmt.Errorf("%s", map[int]string{1: "some clusters are not ready", 2: "some clusters are unreachable"}[code])}
					}
					return nil
				}
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(watch):
				}
			}
		},
	}
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig holding every cluster's context (default $KUBECONFIG, ~/.kube/config)")
	cmd.Flags().StringSliceVar(&contextMap, "context-map", nil, "CLUSTER=CONTEXT pairs overriding the kube context of a cluster")
	cmd.Flags().DurationVar(&timeout, "timeout", 10*time.Second, "per-cluster timeout")
	cmd.Flags().DurationVar(&watch, "watch", 0, "repeat every INTERVAL until interrupted (e.g. 10s); with --serve, how often the clusters are read")
	cmd.Flags().StringVar(&serve, "serve", "", "serve the read-only web dashboard on ADDR (e.g. :8080, which listens on 127.0.0.1)")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	return cmd
}
