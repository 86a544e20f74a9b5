package main

import (
	"strings"
	"testing"
)

// launch freezes once; a second launch and a record with nothing pending are each one
// line on stderr and exit 1. (The base network is an example: its placeholders are
// allowed on purpose, launch_placeholders_test.go refuses them.)
func TestLaunchOnceThenRecordRefusesNothingPending(t *testing.T) {
	repo := generatedRepo(t)
	out, errOut, code := run(t, "--repo", repo, "launch", "--allow-placeholders")
	if code != 0 || !strings.Contains(out, "wrote cue/genesis.cue") || !strings.Contains(out, "genesis frozen with 4 validators: alpha-v1, alpha-v2, beta-v1, beta-v2") {
		t.Fatalf("launch: exit %d\n%s%s", code, out, errOut)
	}
	for _, args := range [][]string{{"launch", "--allow-placeholders"}, {"validators", "record"}} {
		_, errOut, code := run(t, append([]string{"--repo", repo}, args...)...)
		if code != 1 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.HasPrefix(errOut, "flux-ledger: ") {
			t.Errorf("%v: exit %d, stderr %q; want one line, exit 1", args, code, errOut)
		}
	}
}
