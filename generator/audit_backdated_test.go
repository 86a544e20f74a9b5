package generator_test

import (
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flux-ledger/flux-ledger/generator/gitops"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// A party commits a change of beta's node dated years before the history it sits on.
// audit --since still lists it (a commit is no older than its newest ancestor) and the
// history behind it, and flags it as dated before its parent; a --since after
// everything lists nothing.
func TestAuditSinceIsNotStoppedByABackdatedCommit(t *testing.T) {
	repo, g := gitRepo(t)
	testenv.EditNetwork(t, repo, `"beta-v2": {role: "validator",`, `"beta-v2": {resources: limits: memory: "8Gi", role: "validator",`)
	generate(t, repo)
	wt, _ := g.Worktree()
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	old := &object.Signature{Name: "Mallory", Email: "m@beta.example", When: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	hash, err := wt.Commit("tune beta", &git.CommitOptions{Author: old, Committer: old})
	if err != nil {
		t.Fatal(err)
	}
	since := alice.When.Add(-24 * time.Hour)
	entries, err := gitops.Audit(g, gitops.AuditOptions{Since: since})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Commit != hash.String() && entries[1].Commit != hash.String() {
		t.Fatalf("audit --since %s: %d entries, want the back-dated commit and the one before it: %+v", since, len(entries), entries)
	}
	for _, e := range entries {
		flagged := strings.Contains(e.DatedBeforeParent, "committer date 2020-01-01") && strings.Contains(e.DatedBeforeParent, "author date 2020-01-01")
		if (e.Commit == hash.String()) != flagged {
			t.Errorf("%s: datedBeforeParent %q", e.Summary, e.DatedBeforeParent)
		}
	}
	if later, _ := gitops.Audit(g, gitops.AuditOptions{Since: alice.When.Add(24 * time.Hour)}); len(later) != 0 {
		t.Errorf("audit --since after every commit: %+v", later)
	}
}
