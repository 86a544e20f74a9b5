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
	repo := generatedRepo(t)
	g, err := git.PlainInit(repo, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, _ := g.Worktree()
	wt.AddWithOptions(&git.AddOptions{All: true})
	if _, err := wt.Commit("network", &git.CommitOptions{Author: &object.Signature{Name: "A", Email: "a@x", When: time.Now()}}); err != nil {
		t.Fatal(err)
	}
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
