package main

import (
	"testing"

	"github.com/spf13/cobra"
)

// Every command that does something shows how it is used (kubectl, flux and helm do):
// a newcomer reads the example before the flags.
func TestEveryCommandHasAnExample(t *testing.T) {
	var walk func(c *cobra.Command)
	checked := 0
	walk = func(c *cobra.Command) {
		if c.Runnable() && c.HasParent() && !c.Hidden {
			checked++
			if c.Example == "" {
				t.Errorf("%s has no Example", c.CommandPath())
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCommand())
	if checked < 15 {
		t.Fatalf("only %d commands checked", checked)
	}
}
