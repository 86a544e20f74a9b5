package generator_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flux-ledger/flux-ledger/generator/gitops"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// A hand commit whose trailer claims alpha but which changes beta's node is found by
// audit --party beta (parties come from the diff) and flagged as a trailer mismatch.
func TestAuditDerivesPartiesFromTheDiffNotTheTrailer(t *testing.T) {
	repo, g := gitRepo(t)
	testenv.EditNetwork(t, repo, `"beta-v2": {role: "validator",`, `"beta-v2": {resources: limits: memory: "8Gi", role: "validator",`)
	generate(t, repo)
	wt, _ := g.Worktree()
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	msg := "flux-ledger: change node alpha-rpc\n\nNetwork-Digest: sha256:00\nParties-Changed: alpha\nGenerator-Version: dev\n"
	hash, err := wt.Commit(msg, &git.CommitOptions{Author: alice})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := gitops.Audit(g, gitops.AuditOptions{Party: "beta"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 || entries[0].Commit != hash.String() {
		t.Fatalf("audit --party beta misses the commit that changed beta's node: %+v", entries)
	}
	e := entries[0]
	if !slices.Equal(e.Parties, []string{"beta"}) || !strings.Contains(e.Warning, "trailer says alpha, the diff changes beta") {
		t.Errorf("entry: parties %v, warning %q", e.Parties, e.Warning)
	}
	if alpha, _ := gitops.Audit(g, gitops.AuditOptions{Party: "alpha"}); len(alpha) > 0 && alpha[0].Commit == hash.String() {
		t.Error("audit --party alpha lists a commit that did not change alpha")
	}
}

// A commit whose cue/ tree holds an entry named ".." (possible in a crafted object,
// never from git add) is listed with its problem; the audit goes on, and nothing is
// written outside the temporary directory the network is read from.
func TestAuditSkipsAndReportsABrokenCommit(t *testing.T) {
	_, g := gitRepo(t)
	head, _ := gitops.Resolve(g, "HEAD")
	root, _ := head.Tree()
	cue, _ := root.Tree("cue")
	evil := object.Tree{Entries: append(slices.Clone(cue.Entries), object.TreeEntry{Name: "..", Mode: filemode.Dir, Hash: cue.Hash})}
	slices.SortFunc(evil.Entries, func(a, b object.TreeEntry) int { return strings.Compare(a.Name, b.Name) })
	evilHash := store(t, g, &evil)
	newRoot := object.Tree{}
	for _, e := range root.Entries {
		if e.Name == "cue" {
			e.Hash = evilHash
		}
		newRoot.Entries = append(newRoot.Entries, e)
	}
	rootHash := store(t, g, &newRoot)
	c := &object.Commit{Author: *alice, Committer: *alice, Message: "crafted", TreeHash: rootHash, ParentHashes: []plumbing.Hash{head.Hash}}
	commitHash := store(t, g, c)
	ref, _ := g.Head()
	g.Storer.SetReference(plumbing.NewHashReference(ref.Name(), commitHash))

	entries, err := gitops.Audit(g, gitops.AuditOptions{})
	if err != nil {
		t.Fatalf("audit aborted: %v", err)
	}
	if len(entries) != 2 || entries[0].Commit != commitHash.String() || entries[0].Problem == "" {
		t.Fatalf("entries: %+v", entries)
	}
	if entries[1].Problem != "" || len(entries[1].Parties) == 0 {
		t.Errorf("the commit before the broken one: %+v", entries[1])
	}
	// go-git itself refuses to iterate a ".." entry; NetworkAt also checks every name
	// it joins below its temporary directory (cleanTreePath) in case a reader does not.
	if _, err := gitops.NetworkAt(mustCommit(t, g, commitHash)); err == nil || !strings.Contains(err.Error(), "..") {
		t.Errorf("NetworkAt on a '..' entry: %v", err)
	}
}

type encoder interface {
	Encode(plumbing.EncodedObject) error
}

func store(t *testing.T, g *git.Repository, o encoder) plumbing.Hash {
	t.Helper()
	obj := g.Storer.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		t.Fatal(err)
	}
	h, err := g.Storer.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func mustCommit(t *testing.T, g *git.Repository, h plumbing.Hash) *object.Commit {
	c, err := g.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
