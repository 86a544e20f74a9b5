package tree

import (
	"os"
	"path/filepath"
	"testing"
)

// Apply flushes the filesystem before its renames only when a rename replaces a file:
// a file that only appears has no old version a power cut could lose. Either way
// every file ends with its new content and no temporary file is left.
func TestApplyFlushesOnlyToReplace(t *testing.T) {
	flushes := 0
	defer func(f func(string, []string) error) { flush = f }(flush)
	flush = func(root string, staged []string) error { flushes++; return flushStaged(root, staged) }

	root := t.TempDir()
	var added []FileChange
	for _, p := range []string{"parties/a/x.yaml", "parties/a/nodes/n/node.yaml", "parties/b/y.yaml", "clusters/c/z.yaml"} {
		added = append(added, FileChange{Path: p, Action: Add, Data: []byte(p + "\n")})
	}
	if err := Apply(root, added); err != nil {
		t.Fatal(err)
	}
	if flushes != 0 {
		t.Errorf("adding files flushed %d times, want none", flushes)
	}
	replaced := []FileChange{{Path: "parties/a/x.yaml", Action: Change, Data: []byte("new\n")}, {Path: "parties/d/w.yaml", Action: Add, Data: []byte("w\n")}}
	if err := Apply(root, replaced); err != nil {
		t.Fatal(err)
	}
	if flushes != 1 {
		t.Errorf("replacing a file flushed %d times, want once", flushes)
	}
	want := map[string]string{"parties/a/x.yaml": "new\n", "parties/a/nodes/n/node.yaml": "parties/a/nodes/n/node.yaml\n",
		"parties/b/y.yaml": "parties/b/y.yaml\n", "clusters/c/z.yaml": "clusters/c/z.yaml\n", "parties/d/w.yaml": "w\n"}
	found := 0
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if w, ok := want[filepath.ToSlash(rel)]; !ok || string(data) != w {
			t.Errorf("%s holds %q, want %q", rel, data, w)
		}
		found++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found != len(want) {
		t.Errorf("%d files on disk, want %d", found, len(want))
	}
}
