package tree

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// ReadInput returns a regular file's bytes, whatever their size up to MaxInputSize,
// and refuses a link as the file or as a directory on its path (naming it), a FIFO,
// a directory and a file above the limit; a missing file is os.IsNotExist.
func TestReadInputReadsOnlyRegularFilesBelowTheRoot(t *testing.T) {
	root := t.TempDir()
	write := func(rel string, data []byte) {
		t.Helper()
		full := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sizes := map[string]int{"empty": 0, "one": 1, "page": 4096, "sealed": 1534, "limit": MaxInputSize}
	for name, size := range sizes {
		data := bytes.Repeat([]byte{'k'}, size)
		if size > 0 {
			data[size-1] = '\n'
		}
		write("parties/a/secrets/"+name+".yaml", data)
		got, err := ReadInput(root, "parties/a/secrets/"+name+".yaml")
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s (%d bytes): read %d bytes, %v", name, size, len(got), err)
		}
	}
	write("top.yaml", []byte("at the root\n"))
	if got, err := ReadInput(root, "top.yaml"); err != nil || string(got) != "at the root\n" {
		t.Errorf("a file at the root: %q, %v", got, err)
	}

	write("parties/a/secrets/over.yaml", make([]byte, MaxInputSize+1))
	var refused *InputError
	if _, err := ReadInput(root, "parties/a/secrets/over.yaml"); !errors.As(err, &refused) {
		t.Errorf("a file of MaxInputSize+1 bytes: %v, want an *InputError", err)
	}
	if _, err := ReadInput(root, "parties/a/secrets"); !errors.As(err, &refused) {
		t.Errorf("a directory: %v, want an *InputError", err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, "parties", "a", "secrets", "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadInput(root, "parties/a/secrets/fifo.yaml"); !errors.As(err, &refused) {
		t.Errorf("a FIFO: %v, want an *InputError", err)
	}

	var link *SymlinkError
	if err := os.Symlink(filepath.Join(root, "top.yaml"), filepath.Join(root, "parties", "a", "secrets", "link.yaml")); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadInput(root, "parties/a/secrets/link.yaml"); !errors.As(err, &link) || link.Path != "parties/a/secrets/link.yaml" {
		t.Errorf("a link as the file: %v, want a *SymlinkError naming it", err)
	}
	if err := os.Symlink(filepath.Join(root, "parties", "a"), filepath.Join(root, "parties", "b")); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadInput(root, "parties/b/secrets/one.yaml"); !errors.As(err, &link) || link.Path != "parties/b" {
		t.Errorf("a link as a directory: %v, want a *SymlinkError naming parties/b", err)
	}

	if _, err := ReadInput(root, "parties/a/secrets/none.yaml"); !os.IsNotExist(err) {
		t.Errorf("a missing file: %v, want not-exist", err)
	}
	if _, err := ReadInput(root, "parties/c/secrets/none.yaml"); !os.IsNotExist(err) {
		t.Errorf("a file in a missing directory: %v, want not-exist", err)
	}
}
