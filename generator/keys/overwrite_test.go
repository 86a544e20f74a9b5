package keys_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// A lost identity file must not make keys init replace the node's existing sealed key:
// the node would silently get a new address. It refuses, naming the sealed file; only
// --rotate replaces the key.
func TestInitRefusesToOverwriteASealedKey(t *testing.T) {
	f := newFixture(t)
	f.init(t, "alpha")
	sealed := filepath.Join(f.repo, "parties/alpha/secrets/alpha-v1-nodekey.yaml")
	before, err := os.ReadFile(sealed)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(f.repo, "cue/identities/alpha-v1.cue")); err != nil {
		t.Fatal(err)
	}
	_, err = keys.Init(f.repo, keys.InitOptions{Party: "alpha"})
	if err == nil || !strings.HasPrefix(err.Error(), "parties/alpha/secrets/alpha-v1-nodekey.yaml: ") || !strings.Contains(err.Error(), "--rotate alpha-v1") {
		t.Fatalf("init after losing an identity file: %v, want a refusal naming the sealed key", err)
	}
	if after, _ := os.ReadFile(sealed); string(after) != string(before) {
		t.Fatal("the sealed key was replaced")
	}
	if _, err := os.Stat(filepath.Join(f.repo, "cue/identities/alpha-v1.cue")); err == nil {
		t.Fatal("a new identity was written although init refused")
	}
	f.init(t, "alpha", "alpha-v1")
	if after, _ := os.ReadFile(sealed); string(after) == string(before) {
		t.Fatal("--rotate did not replace the key")
	}
}

// A network that bypasses the schema (plain data, no #Network) can name a node
// ../../../../escape. keys writes paths built from such names only after the same
// clean-relative-path check generate applies, so nothing lands outside the repository.
// The loader holds every network to the binary's #Network, so only the schema-work
// escape (the module's own schema, which this network does not use) gets it this far.
func TestKeysNeverWritesOutsideTheRepository(t *testing.T) {
	t.Setenv(load.SchemaDevEnv, "1")
	alpha, _ := testenv.AgeKey(t)
	network := `package network

network: {
	name: "esc", platform: "besu", chainId: 1
	consensus: algorithm: "qbft"
	parties: alpha: {name: "alpha", namespace: "esc-alpha", recipients: ["` + alpha.Recipient().String() + `"]}
	clusters: c: {name: "c", party: "alpha"}
	nodes: "../../../../escape": {name: "../../../../escape", party: "alpha", cluster: "c", role: "validator"}
}
`
	parent := t.TempDir()
	repo := filepath.Join(parent, "a", "repo")
	os.MkdirAll(filepath.Dir(repo), 0o755)
	if err := os.Rename(testenv.Repo(t, network), repo); err != nil {
		t.Fatal(err)
	}
	_, err := keys.Init(repo, keys.InitOptions{Party: "alpha"})
	if err == nil || !strings.Contains(err.Error(), "not a clean relative path") {
		t.Fatalf("init: %v, want a refusal of the path", err)
	}
	filepath.WalkDir(parent, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), "escape") {
			t.Errorf("keys wrote %s", p)
		}
		return nil
	})
	if _, err := os.Stat(filepath.Join(repo, "parties")); err == nil {
		t.Error("keys wrote part of its output before refusing")
	}
}

// A keys run killed between writing a temporary file and renaming it leaves the temp
// file in cue/identities/ (outside generate's owned directories): the next keys run
// removes it.
func TestKeysRemovesTempFilesOfAnInterruptedRun(t *testing.T) {
	f := newFixture(t)
	f.init(t, "alpha")
	leftover := filepath.Join(f.repo, "cue", "identities", ".flux-ledger-123.tmp")
	if err := os.WriteFile(leftover, []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	f.init(t, "alpha", "alpha-v1")
	if _, err := os.Stat(leftover); err == nil {
		t.Fatal("temp file survived the next keys run")
	}
}
