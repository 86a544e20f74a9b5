package tree

import (
	"errors"
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

// Scan only looks: generate scans while CUE evaluates the network, which may turn
// out invalid. The diff that takes the listing removes the leftover of an
// interrupted write, returns the error that stopped the scan, and refuses a foreign
// file, as Diff does; a removal is decided by the indexes, read only then.
func TestScanActsOnlyInTheDiff(t *testing.T) {
	own := Ownership{Dirs: []string{"parties"}}
	root := t.TempDir()
	write := func(p, data string) {
		t.Helper()
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("parties/a/kept.yaml", "kind: A\n")
	write("parties/a/stale.yaml", "kind: B\n")
	write("parties/a/"+IndexName, "kept.yaml\nstale.yaml\n")
	leftover := filepath.Join(root, "parties", "a", ".flux-ledger-123.tmp")
	write("parties/a/.flux-ledger-123.tmp", "half")
	desired := Tree{"parties/a/kept.yaml": []byte("kind: A\n"), "parties/a/" + IndexName: []byte("kept.yaml\n")}

	listing := Scan(root, own)
	if _, err := os.Stat(leftover); err != nil {
		t.Fatalf("Scan removed a leftover: %v", err)
	}
	changes, err := DiffListed(listing, desired, nil, own, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Errorf("the diff left the leftover of an interrupted write: %v", err)
	}
	var got []string
	for _, c := range changes {
		got = append(got, string(c.Action)+" "+c.Path)
	}
	want := []string{string(Change) + " parties/a/" + IndexName, string(Remove) + " parties/a/stale.yaml"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	write("parties/a/mine.txt", "by hand")
	var foreign *ForeignFilesError
	if _, err := DiffListed(Scan(root, own), desired, nil, own, false); !errors.As(err, &foreign) || len(foreign.Paths) != 1 || foreign.Paths[0] != "parties/a/mine.txt" {
		t.Errorf("a file no index lists: %v, want it refused", err)
	}

	if err := os.Symlink(t.TempDir(), filepath.Join(root, "parties", "b")); err != nil {
		t.Fatal(err)
	}
	listing = Scan(root, own)
	var link *SymlinkError
	if _, err := DiffListed(listing, desired, nil, own, false); !errors.As(err, &link) || link.Path != "parties/b" {
		t.Errorf("a link in the owned paths: %v, want a *SymlinkError naming parties/b", err)
	}
}
