package main

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
)

// version -o json names the schema this binary enforces (the digest plan compares a
// repository's cue/schema/ with) and the toolchain; --version says the same on one line.
func TestVersionNamesTheSchemaAndTheToolchain(t *testing.T) {
	var out bytes.Buffer
	root := newRootCommand()
	root.SetOut(&out)
	root.SetArgs([]string{"version", "-o", "json"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	var b buildInfo
	if err := json.Unmarshal(out.Bytes(), &b); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if b.Schema != load.EmbeddedSchemaDigest() || !strings.HasPrefix(b.Schema, "sha256:") {
		t.Errorf("schema %q, want %q", b.Schema, load.EmbeddedSchemaDigest())
	}
	if b.Go != runtime.Version() || b.Version == "" || b.Commit == "" || b.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("incomplete: %+v", b)
	}

	out.Reset()
	root = newRootCommand()
	root.SetOut(&out)
	root.SetArgs([]string{"--version"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if line := out.String(); !strings.HasPrefix(line, "flux-ledger "+b.Version+" ") || !strings.Contains(line, b.Schema) {
		t.Errorf("--version: %q", line)
	}

	root = newRootCommand()
	root.SetOut(&out)
	root.SetArgs([]string{"version", "-o", "yaml"})
	if err := root.Execute(); err == nil || !strings.Contains(err.Error(), "--output") {
		t.Errorf("an unknown format: %v", err)
	}
}
