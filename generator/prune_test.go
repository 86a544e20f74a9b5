package generator_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// Hand-made files in generator-owned directories are never deleted silently: generate
// refuses and names them; --prune deletes them — except under secrets/, where nothing
// is ever deleted.
func TestHandMadeFilesAreRefusedNotDeleted(t *testing.T) {
	repo := newRepo(t)
	generate(t, repo)
	hand := []string{
		"parties/alpha/README.md",
		"parties/alpha/nodes/alpha-v1/patch.yaml",
		"clusters/alpha-aks/notes.txt",
	}
	kept := []string{
		"parties/alpha/secrets/backup/alpha-v1-nodekey.yaml",
		"parties/alpha/secrets/notes.txt",
	}
	for _, p := range append(slices.Clone(hand), kept...) {
		full := filepath.Join(repo, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte("mine\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := generator.Generate(generator.Options{Repo: repo})
	var fe *tree.ForeignFilesError
	if !errors.As(err, &fe) {
		t.Fatalf("generate: %v, want the hand-made files refused", err)
	}
	if !slices.Equal(fe.Paths, slices.Sorted(slices.Values(hand))) {
		t.Errorf("refused %v, want %v", fe.Paths, hand)
	}
	for _, p := range append(slices.Clone(hand), kept...) {
		if _, err := os.Stat(filepath.Join(repo, p)); err != nil {
			t.Errorf("%s was deleted by a refused generate", p)
		}
	}
	// --check refuses the same way (CI must not report a deletion as "out of date").
	if _, err := generator.Generate(generator.Options{Repo: repo, Check: true}); !errors.As(err, &fe) {
		t.Errorf("generate --check: %v", err)
	}

	report, err := generator.Generate(generator.Options{Repo: repo, Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range hand {
		if _, err := os.Stat(filepath.Join(repo, p)); err == nil {
			t.Errorf("--prune kept %s", p)
		}
	}
	for _, p := range kept {
		if _, err := os.Stat(filepath.Join(repo, p)); err != nil {
			t.Errorf("--prune deleted %s under secrets/", p)
		}
	}
	if len(report.Changes) != len(hand) {
		t.Errorf("--prune: %v, want exactly the %d hand-made files removed", changedPaths(report), len(hand))
	}
}

// Files the generator wrote are still removed without --prune when the network no
// longer renders them: the index in their directory vouches for them. A removed party
// takes its index with it; its sealed keys stay.
func TestGeneratedFilesAreStillRemoved(t *testing.T) {
	repo := newRepo(t)
	generate(t, repo)
	testenv.EditNetwork(t, repo, `"alpha-rpc": {role: "rpc", cluster: "alpha-aks", image: "docker.io/hyperledger/besu:24.12.2"}`, ``)
	os.Remove(filepath.Join(repo, "cue", "identities", "alpha-rpc.cue"))
	report := generate(t, repo)
	var removed []string
	for _, c := range report.Changes {
		if c.Action == tree.Remove {
			removed = append(removed, c.Path)
		}
	}
	want := []string{"parties/alpha/nodes/alpha-rpc/kustomization.yaml", "parties/alpha/nodes/alpha-rpc/node.yaml"}
	if !slices.Equal(removed, want) {
		t.Errorf("removed %v, want %v", removed, want)
	}
	if _, err := os.Stat(filepath.Join(repo, "parties/alpha/secrets/alpha-rpc-nodekey.yaml")); err != nil {
		t.Errorf("the removed node's sealed key was deleted: %v", err)
	}
	if again := generate(t, repo); len(again.Changes) != 0 {
		t.Errorf("second run: %v", changedPaths(again))
	}
}
