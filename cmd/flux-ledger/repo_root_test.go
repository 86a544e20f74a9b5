package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// Like git, flux-ledger works from any directory inside the repository: without
// --repo it finds the nearest enclosing directory that holds cue/cue.mod.
func TestCommandsFindTheRepositoryFromASubdirectory(t *testing.T) {
	root := testenv.RepoRoot(t)
	t.Chdir(filepath.Join(root, "cue", "identities"))
	for _, args := range [][]string{{"vet"}, {"generate", "--check"}} {
		var out bytes.Buffer
		cmd := newRootCommand()
		cmd.SetOut(&out)
		cmd.SetArgs(args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%s from cue/identities: %v", strings.Join(args, " "), err)
		}
		if args[0] == "vet" && !strings.Contains(out.String(), "is valid") {
			t.Errorf("vet: %q", out.String())
		}
	}
	if got := repositoryRoot("."); got != filepath.Join("..", "..") {
		t.Errorf("root %q, want ../..", got)
	}
	t.Chdir(t.TempDir())
	if got := repositoryRoot("."); got != "." {
		t.Errorf("outside any repository: %q, want .", got)
	}
}
