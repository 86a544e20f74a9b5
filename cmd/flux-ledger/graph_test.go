package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// graph draws the reference network: Mermaid is the golden file, --file holds what
// standard output would, and a wrong flag is one line.
func TestGraphCommand(t *testing.T) {
	root := testenv.RepoRoot(t)
	golden, err := os.ReadFile(filepath.Join(root, "generator", "graph", "testdata", "tradenet.mmd"))
	if err != nil {
		t.Fatal(err)
	}
	if out := mustRun(t, "--repo", root, "graph", "--output", "mermaid"); out != string(golden) {
		t.Errorf("graph --output mermaid differs from the golden file:\n%s", out)
	}
	svg := mustRun(t, "--repo", root, "graph")
	file := filepath.Join(t.TempDir(), "network.svg")
	mustRun(t, "--repo", root, "graph", "--file", file)
	if data, _ := os.ReadFile(file); string(data) != svg || !strings.HasPrefix(svg, "<?xml") {
		t.Errorf("graph --file wrote %d bytes, standard output had %d", len(data), len(svg))
	}
	if dot := mustRun(t, "--repo", root, "graph", "-o", "dot", "--detail", "summary"); !strings.Contains(dot, "2 validators, 1 rpc") {
		t.Errorf("graph -o dot --detail summary:\n%s", dot)
	}
	for _, args := range [][]string{{"--output", "png"}, {"--detail", "some"}} {
		_, stderr, code := run(t, append([]string{"--repo", root, "graph"}, args...)...)
		if code != 1 || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, args[0]) {
			t.Errorf("graph %v: exit %d, %q; want exit 1 and one line naming the flag", args, code, stderr)
		}
	}
}
