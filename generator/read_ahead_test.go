package generator_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// generate reads the repository while CUE evaluates the network, but acts on what it
// read only once the network is valid: with an invalid network, its error is the one
// reported (not the link in an owned path) and the leftover of an interrupted write
// stays; with the network valid again, the link is refused, and once it is gone the
// leftover is removed and the orphaned sealed key is noted.
func TestReadAheadActsOnlyOnAValidNetwork(t *testing.T) {
	repo := newRepo(t)
	generate(t, repo)
	leftover := filepath.Join(repo, "parties", "alpha", ".flux-ledger-42.tmp")
	if err := os.WriteFile(leftover, []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(repo, "parties", "beta", "nodes", "elsewhere")
	if err := os.Symlink(t.TempDir(), link); err != nil {
		t.Fatal(err)
	}
	orphan := filepath.Join(repo, "parties", "alpha", "secrets", "alpha-gone-nodekey.yaml")
	if err := os.WriteFile(orphan, []byte("sealed: elsewhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	network := filepath.Join(repo, "cue", "network.cue")
	valid, err := os.ReadFile(network)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(network, append(valid, []byte("\nnetwork: chainId: \"not a number\"\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	var symlink *tree.SymlinkError
	_, err = generator.Generate(generator.Options{Repo: repo, CacheDir: t.TempDir()})
	if err == nil || errors.As(err, &symlink) || !strings.Contains(err.Error(), "chainId") {
		t.Fatalf("an invalid network: %v, want its CUE error, on chainId", err)
	}
	if _, err := os.Stat(leftover); err != nil {
		t.Fatalf("generate of an invalid network removed a leftover: %v", err)
	}

	if err := os.WriteFile(network, valid, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err = generator.Generate(generator.Options{Repo: repo, CacheDir: t.TempDir()}); !errors.As(err, &symlink) || symlink.Path != "parties/beta/nodes/elsewhere" {
		t.Fatalf("a link in an owned path: %v, want a *SymlinkError naming it", err)
	}
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	report, err := generator.Generate(generator.Options{Repo: repo, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Errorf("the leftover of an interrupted write is still there: %v", err)
	}
	if len(report.Orphans) != 1 || report.Orphans[0] != "parties/alpha/secrets/alpha-gone-nodekey.yaml" {
		t.Errorf("orphans %v, want the sealed key of no node", report.Orphans)
	}
}
