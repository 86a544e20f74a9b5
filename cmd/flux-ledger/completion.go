package main

import (
	"maps"
	"path/filepath"
	"regexp"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// registerCompletions makes the shell complete, on every command, the values of flags
// that name something of the network (a party, a channel, a node) from the network
// itself, and the output formats each --output/--format lists in its usage.
func registerCompletions(root *cobra.Command, opts *globalOptions) {
	names := map[string]func(*model.Network) []string{
		"party":  func(n *model.Network) []string { return n.PartyNames() },
		"rotate": func(n *model.Network) []string { return n.NodeNames() },
		"rekey":  func(n *model.Network) []string { return n.NodeNames() },
		"channel": func(n *model.Network) []string {
			if n.Fabric == nil {
				return nil
			}
			return slices.Sorted(maps.Keys(n.Fabric.Channels))
		},
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if list, ok := names[f.Name]; ok {
				_ = c.RegisterFlagCompletionFunc(f.Name, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
					network, err := completionNetwork(opts)
					if err != nil {
						return nil, cobra.ShellCompDirectiveNoFileComp
					}
					return list(network), cobra.ShellCompDirectiveNoFileComp
				})
			}
			if f.Name == "output" || f.Name == "format" {
				formats := formatWords.FindAllString(f.Usage, -1)
				_ = c.RegisterFlagCompletionFunc(f.Name, cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// formatWords are the format names the --output and --format usages list.
var formatWords = regexp.MustCompile(`\b(text|json|markdown|table|svg|mermaid|dot|openpgp|ssh)\b`)

// completionNetwork loads the network of the repository the command would use, found
// from the working directory as the commands find it (--repo is not parsed yet).
func completionNetwork(opts *globalOptions) (*model.Network, error) {
	repo := opts.repo
	if repo == "." {
		repo = repositoryRoot(".")
	}
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		return nil, err
	}
	return result.Network, nil
}
