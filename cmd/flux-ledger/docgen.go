package main

import (
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newDocgenCommand writes the command reference, one Markdown page per command, that
// docs/cli/ holds (make docs); hidden, as flux2's own docgen is. The pages are the
// commands' --help, so the reference never says other than the binary.
func newDocgenCommand(root *cobra.Command) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:    "docgen",
		Short:  "Write the command reference (Markdown) into a directory",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return writeReference(root, dir)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "docs/cli", "directory to write the pages into")
	return cmd
}

// writeReference writes root's pages into dir, the same bytes on every run: no
// generation date (cobra's auto-generated tag is off on every command).
func writeReference(root *cobra.Command, dir string) error {
	var quiet func(*cobra.Command)
	quiet = func(c *cobra.Command) {
		c.DisableAutoGenTag = true
		for _, sub := range c.Commands() {
			quiet(sub)
		}
	}
	// cobra adds its completion command when the root executes; a page for it either
	// way.
	root.InitDefaultCompletionCmd()
	quiet(root)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return doc.GenMarkdownTree(root, dir)
}
