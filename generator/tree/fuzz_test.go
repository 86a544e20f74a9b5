package tree

import (
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCheckPath is the one rule every writer applies to a path built from input: a
// path it accepts, joined below a root, stays below that root.
func FuzzCheckPath(f *testing.F) {
	f.Add("parties/a/secrets/x-nodekey.yaml")
	f.Fuzz(func(t *testing.T, p string) {
		if CheckPath(p) != nil {
			return
		}
		root := "/repo"
		full := filepath.Join(root, filepath.FromSlash(p))
		rel, err := filepath.Rel(root, full)
		if err != nil || rel == ".." || strings.HasPrefix(rel, "../") || full == root {
			t.Errorf("%q accepted but resolves to %s", p, full)
		}
	})
}
