package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// audit --verify-signatures only marks; --require-signatures exits 3 when a commit is
// unsigned; a --keyring that is not an OpenPGP keyring is an error, not "every
// signature bad".
func TestAuditRequireSignaturesAndKeyringValidation(t *testing.T) {
	repo := oneCommitRepo(t, "network", &object.Signature{Name: "A", Email: "a@x", When: time.Now()})
	notKeyring := filepath.Join(t.TempDir(), "ring.asc")
	os.WriteFile(notKeyring, []byte("hello\n"), 0o644)
	if _, errOut, code := run(t, "--repo", repo, "audit", "--verify-signatures", "--keyring", notKeyring); code != 1 || !strings.Contains(errOut, "not an armored OpenPGP public keyring") {
		t.Errorf("non-keyring: exit %d: %s", code, errOut)
	}
	if out, errOut, code := run(t, "--repo", repo, "audit", "--verify-signatures"); code != 0 || !strings.Contains(out, "unsigned") {
		t.Errorf("--verify-signatures: exit %d: %s%s", code, out, errOut)
	}
	if _, errOut, code := run(t, "--repo", repo, "audit", "--require-signatures"); code != 1 || !strings.Contains(errOut, "needs --keyring") {
		t.Errorf("--require-signatures without keyring: exit %d: %s", code, errOut)
	}
	ring := filepath.Join(t.TempDir(), "pub.asc")
	os.WriteFile(ring, []byte(alphaKeyring(t)), 0o644)
	if out, errOut, code := run(t, "--repo", repo, "audit", "--require-signatures", "--keyring", ring); code != 3 || !strings.Contains(errOut, "1 of 1 commits are not signed") {
		t.Errorf("--require-signatures on an unsigned history: exit %d: %s%s", code, out, errOut)
	}
}

// A back-dated unsigned commit on top of the history cannot hide from
// audit --since --require-signatures: it is listed, flagged in text and JSON, and the
// exit status is 3.
func TestAuditSinceRequireSignaturesSeesABackdatedCommit(t *testing.T) {
	repo := generatedRepo(t)
	g, err := git.PlainInit(repo, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, _ := g.Worktree()
	wt.AddWithOptions(&git.AddOptions{All: true})
	now := &object.Signature{Name: "A", Email: "a@x", When: time.Now()}
	if _, err := wt.Commit("network", &git.CommitOptions{Author: now, Committer: now}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(repo, "policies", "note.yaml"), []byte("a: b\n"), 0o644)
	wt.AddWithOptions(&git.AddOptions{All: true})
	old := &object.Signature{Name: "M", Email: "m@x", When: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := wt.Commit("old news", &git.CommitOptions{Author: old, Committer: old}); err != nil {
		t.Fatal(err)
	}
	ring := filepath.Join(t.TempDir(), "pub.asc")
	os.WriteFile(ring, []byte(alphaKeyring(t)), 0o644)
	since := time.Now().Add(-48 * time.Hour).Format(time.DateOnly)
	out, errOut, code := run(t, "--repo", repo, "audit", "--since", since, "--require-signatures", "--keyring", ring)
	if code != 3 || !strings.Contains(out, "old news [DATED BEFORE PARENT: committer date 2020-01-01") || !strings.Contains(errOut, "2 of 2 commits") {
		t.Errorf("audit --since %s --require-signatures: exit %d\n%s%s", since, code, out, errOut)
	}
	out, _, _ = run(t, "--repo", repo, "audit", "--since", since, "-o", "json")
	if !strings.Contains(out, `"datedBeforeParent": "committer date 2020-01-01`) {
		t.Errorf("audit -o json does not flag the back-dated commit:\n%s", out)
	}
}

// oneCommitRepo is generatedRepo as one commit with this message and author (go-git,
// so a test may give an author git would refuse): the history audit reads.
func oneCommitRepo(t *testing.T, message string, author *object.Signature) string {
	t.Helper()
	repo := generatedRepo(t)
	g, err := git.PlainInit(repo, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, _ := g.Worktree()
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Commit(message, &git.CommitOptions{Author: author}); err != nil {
		t.Fatal(err)
	}
	return repo
}
