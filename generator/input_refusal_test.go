package generator_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator"
)

// Reading is as safe as writing. What another party commits under cue/ or a party's
// secrets/ — a symbolic link to a file outside the repository, a FIFO (git cannot
// commit one, but a checkout tool or a shared directory can hold one), a file larger
// than anyone's network — is refused by name, on one line, before it is read.
func TestGenerateRefusesInputsThatAreLinksFIFOsOrHuge(t *testing.T) {
	cases := map[string]struct {
		path string
		make func(t *testing.T, full string)
		want string
	}{
		"CUE file linked outside": {"cue/stolen.cue", func(t *testing.T, full string) {
			outside := filepath.Join(t.TempDir(), "secret.cue")
			os.WriteFile(outside, []byte("package network\n"), 0o600)
			must(t, os.Symlink(outside, full))
		}, "cue/stolen.cue: a symbolic link"},
		"CUE directory linked outside": {"cue/more", func(t *testing.T, full string) {
			must(t, os.Symlink(t.TempDir(), full))
		}, "cue/more: a symbolic link"},
		"FIFO in cue": {"cue/wait.cue", func(t *testing.T, full string) {
			must(t, syscall.Mkfifo(full, 0o644))
		}, "cue/wait.cue: not a regular file"},
		"huge CUE file": {"cue/huge.cue", func(t *testing.T, full string) {
			must(t, os.WriteFile(full, []byte("package network\n"+strings.Repeat("// x\n", 1<<20)), 0o644))
		}, "cue/huge.cue: 5242896 bytes"},
		"sealed key linked outside": {"parties/alpha/secrets/alpha-v1-nodekey.yaml", func(t *testing.T, full string) {
			outside := filepath.Join(t.TempDir(), "key.yaml")
			must(t, os.Rename(full, outside))
			must(t, os.Symlink(outside, full))
		}, "parties/alpha/secrets/alpha-v1-nodekey.yaml: symbolic link"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			repo := newRepo(t)
			c.make(t, filepath.Join(repo, filepath.FromSlash(c.path)))
			done := make(chan error, 1)
			go func() {
				_, err := generator.Generate(generator.Options{Repo: repo})
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), c.want) || strings.Count(err.Error(), "\n") > 0 {
					t.Fatalf("generate: %v, want one line with %q", err, c.want)
				}
			case <-time.After(60 * time.Second):
				t.Fatal("generate hangs on the input")
			}
			if _, err := os.Stat(filepath.Join(repo, "parties", "alpha", "nodes")); err == nil {
				t.Error("generate wrote the tree")
			}
		})
	}
}

// A committed .flux-ledger.lock that is a symbolic link is never followed: generate
// refuses it by name and creates nothing where it points.
func TestGenerateNeverFollowsALinkedLockFile(t *testing.T) {
	repo := newRepo(t)
	outside := filepath.Join(t.TempDir(), "created-by-flux-ledger")
	os.Remove(filepath.Join(repo, ".flux-ledger.lock")) // left by keys init
	must(t, os.Symlink(outside, filepath.Join(repo, ".flux-ledger.lock")))
	_, err := generator.Generate(generator.Options{Repo: repo})
	if err == nil || !strings.Contains(err.Error(), ".flux-ledger.lock: a symbolic link") {
		t.Fatalf("generate: %v, want a refusal of the linked lock", err)
	}
	if _, err := os.Lstat(outside); err == nil {
		t.Error("generate created a file outside the repository through the lock link")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
