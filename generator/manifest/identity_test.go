package manifest_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/manifest"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// TestFastEncodingIsByteIdenticalToReference renders whole networks twice through the
// real renderers — once with the reference encoding (reference.go, the first
// implementation, kept unchanged), once with the fast path — and compares every file
// byte for byte: the synthetic Besu networks of 3, 30 and 300 parties (4 nodes each,
// every provider, GitOps and exposure mode; 300 is skipped under -short, it takes
// about a minute on two cores) and the Fabric reference network, identities
// included as `flux-ledger keys init --all` issues them.
func TestFastEncodingIsByteIdenticalToReference(t *testing.T) {
	cases := []struct {
		name string
		repo func(t *testing.T) string
		big  bool
	}{
		{"besu-3", func(t *testing.T) string { return testenv.Repo(t, testenv.Synth(t, 3)) }, false},
		{"besu-30", func(t *testing.T) string { return testenv.Repo(t, testenv.Synth(t, 30)) }, false},
		{"besu-300", func(t *testing.T) string { return testenv.Repo(t, testenv.Synth(t, 300)) }, true},
		{"fabric-example", func(t *testing.T) string { repo, _ := testenv.FabricRepo(t); return repo }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.big && testing.Short() {
				t.Skip("300 parties: skipped under -short")
			}
			repo := c.repo(t)
			if _, err := keys.Init(repo, keys.InitOptions{All: true}); err != nil {
				t.Fatal(err)
			}
			result, err := load.Network(filepath.Join(repo, "cue"))
			if err != nil {
				t.Fatal(err)
			}
			manifest.SetReference(true)
			want, err := render.Desired(result.Network)
			manifest.SetReference(false)
			if err != nil {
				t.Fatal(err)
			}
			got, err := render.Desired(result.Network)
			if err != nil {
				t.Fatal(err)
			}
			compareTrees(t, want, got)
		})
	}
}

// compareTrees fails on any path or byte that differs, showing the first differing
// line of at most a few files.
func compareTrees(t *testing.T, want, got tree.Tree) {
	t.Helper()
	multiDoc := 0
	for _, p := range want.Paths() {
		if bytes.Contains(want[p], []byte("\n---\n")) {
			multiDoc++
		}
	}
	// The comparison only means something if the networks exercise the encoder:
	// many files, several of them multi-document streams.
	if len(want) < 50 || multiDoc == 0 {
		t.Fatalf("reference render: %d files, %d multi-document; the network renders too little to compare", len(want), multiDoc)
	}
	changes := tree.Compare(want, got)
	for i, c := range changes {
		if i == 5 {
			t.Errorf("… and %d more", len(changes)-i)
			break
		}
		t.Errorf("%s: %s%s", c.Path, c.Action, firstDifference(want[c.Path], got[c.Path]))
	}
	t.Logf("%d files (%d multi-document), %d bytes, identical: %v", len(want), multiDoc, treeSize(want), len(changes) == 0)
}

func firstDifference(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range min(len(w), len(g)) {
		if w[i] != g[i] {
			return fmt.Sprintf(" at line %d:\n  reference: %q\n  fast:      %q", i+1, w[i], g[i])
		}
	}
	return fmt.Sprintf(" (%d lines against %d)", len(w), len(g))
}

func treeSize(t tree.Tree) int {
	n := 0
	for _, data := range t {
		n += len(data)
	}
	return n
}
