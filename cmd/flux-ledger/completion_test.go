package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// The shell completes parties and nodes from the network, and each command's own
// output formats (cobra's __complete is what the generated completion scripts call).
func TestCompletionOffersTheNetworksNames(t *testing.T) {
	root := testenv.RepoRoot(t)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"keys", "init", "--party", ""}, []string{"contoso", "fabrikam", "northwind", "woodgrove"}},
		{[]string{"keys", "init", "--rotate", "contoso-v"}, []string{"contoso-validator-1", "contoso-validator-2"}},
		{[]string{"plan", "-o", ""}, []string{"text", "markdown", "json"}},
		{[]string{"status", "--output", ""}, []string{"table", "json"}},
	} {
		var out bytes.Buffer
		cmd := newRootCommand()
		cmd.SetOut(&out)
		cmd.SetArgs(append([]string{"__complete", "--repo", root}, tc.args...))
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		got := strings.Split(strings.TrimSpace(out.String()), "\n")
		got = got[:len(got)-1] // the directive line
		var offered []string
		for _, g := range got {
			if strings.HasPrefix(g, tc.args[len(tc.args)-1]) {
				offered = append(offered, g)
			}
		}
		if strings.Join(offered, " ") != strings.Join(tc.want, " ") {
			t.Errorf("%v: offered %q, want %q", tc.args, got, tc.want)
		}
	}
}
