package generator_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flux-ledger/flux-ledger/generator/gitops"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/plan"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// Party beta replaces alpha's node key (anyone can seal to alpha's public recipients).
// The topology does not change, but plan lists it as a change of alpha's node, needing
// alpha's approval; with signatures required, a commit of it not signed by alpha is
// refused, and one signed by alpha is not.
func TestAnotherPartysIdentityChangeIsVisibleAndNeedsItsOwner(t *testing.T) {
	repo, g := gitRepo(t)
	base, _ := gitops.Resolve(g, "HEAD")
	if _, err := keys.Init(repo, keys.InitOptions{Party: "alpha", Rotate: []string{"alpha-v1"}}); err != nil {
		t.Fatal(err)
	}
	generate(t, repo)

	p := planAgainstHEAD(t, repo, g)
	var change *plan.Change
	for i, c := range p.Changes {
		if c.Kind == "node" && c.Name == "alpha-v1" {
			change = &p.Changes[i]
		}
	}
	if change == nil || change.Party != "alpha" || !slices.Equal(change.Fields, []string{"identity.address", "identity.publicKey"}) {
		t.Fatalf("plan changes: %+v, want node alpha-v1 changed (identity), party alpha", p.Changes)
	}
	paths, err := gitops.ChangedPaths(base, repo)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := gitops.NetworkAt(base)
	after, _ := load.Network(repo + "/cue")
	p.AddApprovals(paths, before, after.Network)
	var alpha *plan.Approval
	for i, a := range p.Approvals {
		if a.Party == "alpha" {
			alpha = &p.Approvals[i]
		}
	}
	if alpha == nil || !slices.Contains(alpha.Paths, "cue/identities/alpha-v1.cue") || !slices.Contains(alpha.Paths, "parties/alpha/secrets/alpha-v1-nodekey.yaml") {
		t.Fatalf("approvals: %+v, want alpha for its identity and sealed key", p.Approvals)
	}
	if !strings.Contains(text(p), "Approvals needed:\n  alpha ") {
		t.Errorf("text plan does not list alpha's approval:\n%s", text(p))
	}

	alphaKey, alphaRing := testenv.PGPKey(t, "Alpha", "ops@alpha.example")
	betaKey, betaRing := testenv.PGPKey(t, "Beta", "ops@beta.example")
	rings := map[string]string{"alpha": alphaRing, "beta": betaRing}
	wt, _ := g.Worktree()
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	bob := &object.Signature{Name: "Bob", Email: "bob@beta.example", When: alice.When}
	if _, err := wt.Commit("rotate alpha-v1", &git.CommitOptions{Author: bob, SignKey: betaKey}); err != nil {
		t.Fatal(err)
	}
	head, _ := gitops.Resolve(g, "HEAD")
	refused, err := gitops.OwnerSignatures(g, base, head, rings, after.Network)
	if err != nil {
		t.Fatal(err)
	}
	// By path (the identity file, the sealed key) and by meaning (both identity fields).
	if len(refused) != 4 || !strings.Contains(refused[0], "cue/identities/alpha-v1.cue (party alpha's) but its signature is not by a alpha key") ||
		!strings.Contains(refused[2], "identities.alpha-v1.address (party alpha) changed in commit ") {
		t.Fatalf("beta-signed rotation of alpha's key: %q", refused)
	}

	// The same change signed by alpha passes.
	head.PGPSignature = ""
	signed := *head
	g2, _ := git.PlainOpen(repo)
	wt2, _ := g2.Worktree()
	if err := wt2.Reset(&git.ResetOptions{Commit: base.Hash, Mode: git.SoftReset}); err != nil {
		t.Fatal(err)
	}
	if _, err := wt2.Commit(signed.Message, &git.CommitOptions{Author: alice, SignKey: alphaKey}); err != nil {
		t.Fatal(err)
	}
	head, _ = gitops.Resolve(g2, "HEAD")
	if refused, err := gitops.OwnerSignatures(g2, base, head, rings, after.Network); err != nil || len(refused) != 0 {
		t.Fatalf("alpha-signed rotation: %q, %v", refused, err)
	}
	// Unsigned: refused.
	wt2.Reset(&git.ResetOptions{Commit: base.Hash, Mode: git.SoftReset})
	wt2.Commit("unsigned rotation", &git.CommitOptions{Author: alice})
	head, _ = gitops.Resolve(g2, "HEAD")
	if refused, _ := gitops.OwnerSignatures(g2, base, head, rings, after.Network); len(refused) == 0 || !strings.Contains(refused[0], "it is unsigned") {
		t.Fatalf("unsigned rotation: %q", refused)
	}
}
