package main

import (
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"
)

// audit --party with a name no change ever touched is an error naming the parties the
// history knows; a known party with nothing in the --since window is an empty table.
func TestAuditNamesAnUnknownParty(t *testing.T) {
	repo := oneCommitRepo(t, "network", &object.Signature{Name: "A", Email: "a@x", When: time.Now()})
	_, errOut, code := run(t, "--repo", repo, "audit", "--party", "nobody")
	if code != 1 || !strings.Contains(errOut, `--party "nobody": no change in the history touches a party of that name (parties: `) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("unknown party: exit %d, %q", code, errOut)
	}
	party := strings.TrimSuffix(strings.SplitN(errOut[strings.Index(errOut, "(parties: ")+len("(parties: "):], ",", 2)[0], ")\n")
	out, errOut, code := run(t, "--repo", repo, "audit", "--party", party, "--since", "2999-01-01")
	if code != 0 || strings.Count(out, "\n") != 1 {
		t.Errorf("known party outside --since: exit %d, %q %q", code, out, errOut)
	}
}
