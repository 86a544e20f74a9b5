package tree_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// A .flux-ledger.lock that another party committed as a link, or that is a FIFO, is
// refused at once by name: Lock neither creates a file where the link points nor
// waits on the FIFO.
func TestLockRefusesALinkOrAFIFO(t *testing.T) {
	for name, create := range map[string]func(lock, outside string) error{
		"link to a new file": func(lock, outside string) error { return os.Symlink(outside, lock) },
		"link to an existing file": func(lock, outside string) error {
			os.WriteFile(outside, []byte("keep\n"), 0o644)
			return os.Symlink(outside, lock)
		},
		"FIFO": func(lock, _ string) error { return syscall.Mkfifo(lock, 0o644) },
	} {
		t.Run(name, func(t *testing.T) {
			repo := t.TempDir()
			outside := filepath.Join(t.TempDir(), "target")
			if err := create(filepath.Join(repo, tree.LockFile), outside); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(outside)
			start := time.Now()
			unlock, err := tree.Lock(repo, time.Second)
			if err == nil {
				unlock()
				t.Fatal("locked")
			}
			if !strings.Contains(err.Error(), tree.LockFile+": ") || time.Since(start) > 500*time.Millisecond {
				t.Errorf("error %v after %s", err, time.Since(start))
			}
			if after, _ := os.ReadFile(outside); string(after) != string(before) {
				t.Error("the link's target changed")
			}
			if name == "link to a new file" {
				if _, err := os.Lstat(outside); err == nil {
					t.Error("a file was created outside the repository")
				}
			}
		})
	}
}
