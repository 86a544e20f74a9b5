package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flux-ledger/flux-ledger/generator/keys"
)

// plan --require-signatures refuses (exit 1) a committed, unsigned rotation of alpha's
// node key, naming the commit and files, and does not call committed files uncommitted.
func TestPlanRequireSignaturesRefusesAnUnsignedKeyChange(t *testing.T) {
	repo := generatedRepo(t)
	g, _ := git.PlainInit(repo, false)
	wt, _ := g.Worktree()
	commit := func(msg string) {
		wt.AddWithOptions(&git.AddOptions{All: true})
		if _, err := wt.Commit(msg, &git.CommitOptions{Author: &object.Signature{Name: "B", Email: "b@x", When: time.Now()}}); err != nil {
			t.Fatal(err)
		}
	}
	commit("network")
	if _, err := keys.Init(repo, keys.InitOptions{Party: "alpha", Rotate: []string{"alpha-v1"}}); err != nil {
		t.Fatal(err)
	}
	run(t, "--repo", repo, "generate")
	commit("rotate alpha-v1")
	ring := filepath.Join(t.TempDir(), "alpha.asc")
	os.WriteFile(ring, []byte(alphaKeyring(t)), 0o644)
	out, errOut, code := run(t, "--repo", repo, "plan", "--base", "HEAD~1", "--require-signatures", "--keyring", "alpha="+ring)
	if code != 1 || !strings.Contains(out, "changes cue/identities/alpha-v1.cue (party alpha's) but it is unsigned") || strings.Contains(out, "uncommitted") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "Approvals needed:\n  alpha ") {
		t.Errorf("no approval listed for alpha:\n%s", out)
	}
}
