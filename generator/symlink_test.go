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

// A symbolic link inside a generator-owned path is refused before anything is written:
// following it would overwrite files outside the repository, and removing it would
// lose what it points to (a symlinked secrets/ was deleted by earlier versions).
func TestSymlinksInOwnedPathsAreRefused(t *testing.T) {
	cases := map[string]string{
		"node directory":  "parties/alpha/nodes/alpha-v1",
		"secrets":         "parties/alpha/secrets",
		"party directory": "parties/beta",
		"owned file":      ".sops.yaml",
	}
	for name, link := range cases {
		t.Run(name, func(t *testing.T) {
			repo := newRepo(t)
			generate(t, repo)
			outside := t.TempDir()
			full := filepath.Join(repo, filepath.FromSlash(link))
			// Move the real content outside the repository and link to it.
			target := filepath.Join(outside, "moved")
			if err := os.Rename(full, target); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, full); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, outside)
			// Touch the network so generate has files to write behind the link.
			editName(t, repo)
			_, err := generator.Generate(generator.Options{Repo: repo})
			var se *tree.SymlinkError
			if !errors.As(err, &se) || se.Path != link {
				t.Fatalf("generate through %s: %v, want a symlink error naming it", link, err)
			}
			if !strings.Contains(err.Error(), link+": symbolic link") {
				t.Errorf("error does not start with the path: %v", err)
			}
			if after := snapshot(t, outside); !equalMaps(before, after) {
				t.Errorf("files outside the repository changed")
			}
			if _, err := os.Lstat(full); err != nil {
				t.Errorf("the link was removed: %v", err)
			}
			// --check refuses too: it would otherwise report a diff computed through the link.
			if _, err := generator.Generate(generator.Options{Repo: repo, Check: true}); !errors.As(err, &se) {
				t.Errorf("generate --check: %v, want a symlink error", err)
			}
		})
	}
}

func editName(t *testing.T, repo string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, "cue", "network.cue"))
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), `name:     "testnet"`, `name:     "testnet2"`, 1)
	if edited == string(data) {
		t.Fatal("network name not found")
	}
	os.WriteFile(filepath.Join(repo, "cue", "network.cue"), []byte(edited), 0o644)
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
