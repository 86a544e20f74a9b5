package main

import (
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"
)

// A party's commit message and author name are printed by audit with their control
// characters escaped: an ESC sequence cannot erase the row and redraw it as signed by
// someone else, nor a newline add a row.
func TestAuditEscapesAHostileCommitMessage(t *testing.T) {
	repo := oneCommitRepo(t, "network\x1b[2K\r2026-01-01 00:00:00  0123456789ab  Alice  alpha  fine  good: Alice\u202e\n", &object.Signature{Name: "M\x1b]52;c;ZXZpbA==\a", Email: "m@x", When: time.Now()})
	out, errOut, code := run(t, "--repo", repo, "audit", "--verify-signatures")
	if code != 0 || strings.ContainsAny(out, "\x1b\r\a\u202e") || strings.Count(out, "\n") != 2 {
		t.Fatalf("audit: exit %d, output %q%s", code, out, errOut)
	}
	for _, want := range []string{`M\x1b]52;c;ZXZpbA==\a`, `network\x1b[2K\r2026-01-01`, `good: Alice\u202e`} {
		if !strings.Contains(out, want) {
			t.Errorf("audit does not show %s:\n%s", want, out)
		}
	}
}
