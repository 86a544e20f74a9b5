package graph_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/graph"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// The same network gives the same bytes: loaded twice, drawn twice, in every format.
func TestSameNetworkSameBytes(t *testing.T) {
	for _, format := range []string{"svg", "mermaid", "dot"} {
		first := render(t, build(t, reference(t), graph.Options{}), format)
		second := render(t, build(t, reference(t), graph.Options{}), format)
		if !bytes.Equal(first, second) {
			t.Errorf("%s differs between two runs", format)
		}
	}
}

// The reference network's Mermaid is testdata/tradenet.mmd. Mermaid_render_test.go
// checks with the real Mermaid that this file draws every party and node; refresh it
// with go test -run TestMermaidGolden -update after a deliberate change, and review it.
func TestMermaidGolden(t *testing.T) {
	got := render(t, build(t, reference(t), graph.Options{}), "mermaid")
	path := filepath.Join("testdata", "tradenet.mmd")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Mermaid of the reference network differs from %s (go test -run TestMermaidGolden -update, then review):\n%s", path, got)
	}
}
