package tree

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Diff compares every desired file with the disk: equal files are no change, a file
// of another size or of the same size with other bytes is a change, a missing one
// an addition — whichever worker reads it, and however many files there are.
func TestDiffComparesEveryFileWithTheDisk(t *testing.T) {
	root := t.TempDir()
	onDisk := map[string]string{
		"parties/a/same.yaml":      "kind: A\n",
		"parties/a/empty.yaml":     "",
		"parties/a/longer.yaml":    "kind: A\nextra: 1\n",
		"parties/a/shorter.yaml":   "kind: A\n",
		"parties/a/sameSize.yaml":  "kind: A\n",
		"parties/a/nowEmpty.yaml":  "kind: A\n",
		"parties/b/big.yaml":       strings.Repeat("x", 1<<20),
		"parties/b/bigFlipped.yml": strings.Repeat("x", 1<<20),
	}
	for p, data := range onDisk {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	desired := Tree{
		"parties/a/same.yaml":      []byte("kind: A\n"),
		"parties/a/empty.yaml":     []byte(""),
		"parties/a/longer.yaml":    []byte("kind: A\n"),
		"parties/a/shorter.yaml":   []byte("kind: A\nextra: 1\n"),
		"parties/a/sameSize.yaml":  []byte("kind: B\n"),
		"parties/a/nowEmpty.yaml":  []byte(""),
		"parties/a/new.yaml":       []byte("kind: A\n"),
		"parties/b/big.yaml":       []byte(strings.Repeat("x", 1<<20)),
		"parties/b/bigFlipped.yml": []byte(strings.Repeat("x", 1<<20-1) + "y"),
	}
	// Many unchanged files, so that every worker reads some.
	for i := range 200 {
		p := filepath.ToSlash(filepath.Join("parties", "c", strings.Repeat("n", i%7+1)+string(rune('a'+i%26))+strings.Repeat("0", i/26)+".yaml"))
		desired[p] = []byte(p)
		full := filepath.Join(root, filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	changes, err := Diff(root, desired, Ownership{Dirs: []string{"parties"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		got = append(got, string(c.Action)+" "+c.Path)
	}
	want := []string{
		"change parties/a/longer.yaml",
		"add parties/a/new.yaml",
		"change parties/a/nowEmpty.yaml",
		"change parties/a/sameSize.yaml",
		"change parties/a/shorter.yaml",
		"change parties/b/bigFlipped.yml",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A directory where a file is desired fails the diff, as reading it always did.
func TestDiffRefusesADirectoryWhereAFileIsDesired(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "parties", "a", "node.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Diff(root, Tree{"parties/a/node.yaml": []byte("kind: A\n")}, Ownership{Dirs: []string{"parties"}}, false); err == nil {
		t.Fatal("diff accepted a directory in place of parties/a/node.yaml")
	}
}
