package main

import (
	"strings"
	"testing"
)

// channels record refuses, in one line on stderr with exit 1, a network that is not
// Fabric's and a call without --channel.
func TestChannelsRecordRefusals(t *testing.T) {
	repo := generatedRepo(t)
	for args, want := range map[string]string{
		"channels record --channel trade": "channels are Fabric's",
		"channels record":                 `required flag(s) "channel" not set`,
	} {
		_, errOut, code := run(t, append([]string{"--repo", repo}, strings.Fields(args)...)...)
		if code != 1 || !strings.Contains(errOut, want) || !strings.HasPrefix(errOut, "flux-ledger: ") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q; want one line with %q", args, code, errOut, want)
		}
	}
}
