package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// docs/cli/ is the binary's own help, page for page: a command, flag or text changed
// without `make docs` fails here, naming the page.
func TestCLIReferenceIsCurrent(t *testing.T) {
	dir := t.TempDir()
	if err := writeReference(newRootCommand(), dir); err != nil {
		t.Fatal(err)
	}
	const committed = "../../docs/cli"
	want, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	have, err := os.ReadDir(committed)
	if err != nil {
		t.Fatalf("%v: run make docs", err)
	}
	names := func(entries []os.DirEntry) []string {
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	if !slices.Equal(names(want), names(have)) {
		t.Fatalf("docs/cli holds %v, the commands make %v: run make docs", names(have), names(want))
	}
	for _, e := range want {
		generated, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		onDisk, _ := os.ReadFile(filepath.Join(committed, e.Name()))
		if string(generated) != string(onDisk) {
			t.Errorf("docs/cli/%s is not the command's help: run make docs", e.Name())
		}
	}
}
