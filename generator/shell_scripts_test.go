package generator_test

import (
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// Every shell script flux-ledger ships or renders — the Besu node scripts and the
// Fabric lifecycle Jobs' scripts (embedded into ConfigMaps), the Arc create.sh it
// writes per cluster, its own CI and tool scripts — passes shellcheck at warning
// level, each script checked from its own directory so that what it sources is
// followed (-x). A script that only makes sense sourced says its shell with a
// directive.
func TestShellScriptsPassShellcheck(t *testing.T) {
	shellcheck := testenv.Tool(t, "shellcheck")
	root := testenv.RepoRoot(t)
	var scripts []string
	for _, dir := range []string{"generator", "hack", "clusters", ".azuredevops", ".ci"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".sh") || path == filepath.Join(root, ".ci", "run")) {
				scripts = append(scripts, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(scripts) < 15 {
		t.Fatalf("found %d scripts: %v", len(scripts), scripts)
	}
	for _, script := range scripts {
		cmd := exec.Command(shellcheck, "-x", "-S", "warning", filepath.Base(script))
		cmd.Dir = filepath.Dir(script)
		if out, err := cmd.CombinedOutput(); err != nil {
			rel, _ := filepath.Rel(root, script)
			t.Errorf("%s: shellcheck: %v\n%s", rel, err, out)
		}
	}
}
