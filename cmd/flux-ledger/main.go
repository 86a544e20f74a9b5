// Command flux-ledger renders a consortium's ledger network, described in CUE, into the
// GitOps repository each party's cluster reconciles with Flux. It also runs as the Flux
// CLI plugin `flux ledger`. This package only parses flags and calls the generator.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/load"
)

// exitError carries a specific exit code (e.g. `generate --check` finding drift).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// defaultMemoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT says
// otherwise. flux-ledger's peak is CUE evaluating the network, and Go's collector
// (GOGC=100) lets the heap grow to twice what is live before it collects: `vet` of
// 3,000 parties peaked at 1,809 MB. Collecting earlier as the heap nears the limit
// brought that to 1,545 MB for 1.2 s more CPU and the same wall time; networks far
// smaller never reach it. The limit is soft: a network that needs more still gets it,
// the runtime capping the collector's share of CPU instead ("A Guide to the Go Garbage
// Collector", go.dev/doc/gc-guide, "Memory limit").
const defaultMemoryLimit = 1536 << 20

// defaultGCPercent is the collector's GOGC unless the environment sets it: collect
// when the heap has grown by four times what is live, not once. Every command holds
// the network's CUE graph, a large web of pointers the collector marks on each
// cycle, while rendering allocates many times its size: with GOGC=100 a cold
// generate of 300 Fabric organisations took 3.12 s (5.12 s of CPU) at a peak of
// 249 MB, with 400 it took 2.49 s (3.96 s) at 555 MB; vet 0.84 s against 0.71 s. The
// memory limit above still bounds the heap, so the largest networks collect as
// before (go.dev/doc/gc-guide, "GOGC" and "Memory limit").
const defaultGCPercent = 400

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if err := newRootCommand().Execute(); err != nil {
		// Errors that list several problems (vet) carry one per line: keep them one per line.
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(os.Stderr, "flux-ledger:", line)
		}
		var exit *exitError
		if errors.As(err, &exit) {
			os.Exit(exit.code)
		}
		os.Exit(1)
	}
}

type globalOptions struct {
	repo string
}

func newRootCommand() *cobra.Command {
	opts := &globalOptions{}
	root := &cobra.Command{
		Use:   "flux-ledger",
		Short: "Run one blockchain network across many parties' clusters with GitOps",
		Long: `flux-ledger turns a consortium's ledger network, described in CUE (cue/), into a Git
repository that each party's Kubernetes cluster reconciles on its own with Flux or the
Azure Arc Flux extension: one directory per party (parties/<party>/), one Flux entry
point per cluster (clusters/<cluster>/), and the consortium's policies (policies/).
Node private keys are SOPS-encrypted to their owning party only.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(cmd *cobra.Command, _ []string) {
			if load.SchemaFromRepo() {
				fmt.Fprintf(cmd.ErrOrStderr(), "flux-ledger: warning: %s=1: the network is evaluated with the repository's own cue/schema/, not the schema built into flux-ledger; plan refuses every change made so\n", load.SchemaDevEnv)
			}
			// Like git, work from anywhere inside the repository: without --repo, the
			// nearest directory up from here that holds cue/cue.mod. init makes a new
			// repository where it is told, never in an enclosing one.
			if !cmd.Flags().Changed("repo") && cmd.Name() != "init" {
				opts.repo = repositoryRoot(".")
			}
		},
	}
	b := currentBuild()
	root.Version = b.Version
	root.SetVersionTemplate(fmt.Sprintf("flux-ledger %s (commit %.12s, schema %s, %s)\n", b.Version, b.Commit, b.Schema, b.Go))
	root.PersistentFlags().StringVar(&opts.repo, "repo", ".", "root of the network repository (holds cue/, parties/, clusters/)")
	root.AddCommand(
		newInitCommand(opts),
		newVetCommand(opts),
		newKeysCommand(opts),
		newGenerateCommand(opts),
		newLaunchCommand(opts),
		newValidatorsCommand(opts),
		newChannelsCommand(opts),
		newRolloutCommand(opts),
		newPlanCommand(opts),
		newApproveCommand(opts),
		newGraphCommand(opts),
		newAuditCommand(opts),
		newStatusCommand(opts),
		newVersionCommand(),
	)
	root.AddCommand(newDocgenCommand(root))
	registerCompletions(root, opts)
	return root
}

// repositoryRoot is the nearest of dir and its parents that holds cue/cue.mod, as a
// path relative to dir when it is one (so messages keep short paths), or dir itself
// when none does (the commands then say what is missing there).
func repositoryRoot(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	rel := dir
	for {
		if info, err := os.Stat(filepath.Join(abs, "cue", "cue.mod")); err == nil && info.IsDir() {
			return rel
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return dir
		}
		abs, rel = parent, filepath.Join(rel, "..")
	}
}
