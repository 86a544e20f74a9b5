package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/load"
)

// version and commit are set at build time with -ldflags "-X main.version=… -X
// main.commit=…" (make build); otherwise they come from the Go build information.
var version, commit = "", ""

// Version is the generator version recorded in generated commits.
func Version() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}

// buildInfo is what `flux-ledger version` reports: enough to tell two binaries apart
// in a bug report, and which schema (the rules) this binary enforces.
type buildInfo struct {
	Version  string `json:"version"`
	Commit   string `json:"commit"`
	Modified bool   `json:"modified,omitempty"`
	Schema   string `json:"schema"`
	Go       string `json:"go"`
	Platform string `json:"platform"`
}

func currentBuild() buildInfo {
	b := buildInfo{Version: Version(), Commit: commit, Schema: load.EmbeddedSchemaDigest(), Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				if b.Commit == "" {
					b.Commit = s.Value
				}
			case "vcs.modified":
				b.Modified = s.Value == "true"
			}
		}
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	return b
}

func newVersionCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the flux-ledger version, commit, schema and Go version",
		Example: `  flux-ledger version
  flux-ledger version -o json
  flux-ledger --version`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := currentBuild()
			switch output {
			case "json":
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(b)
			case "text":
				commit := b.Commit
				if b.Modified {
					commit += " (modified)"
				}
				w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				for _, row := range [][2]string{{"version", b.Version}, {"commit", commit}, {"schema", b.Schema}, {"go", b.Go}, {"platform", b.Platform}} {
					fmt.Fprintf(w, "%s:\t%s\n", row[0], row[1])
				}
				return w.Flush()
			default:
				return fmt.Errorf("--output %q: want text or json", output)
			}
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}
