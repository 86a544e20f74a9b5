package generator_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// platformPackages are the ledgers' own packages: what differs per platform lives
// there, behind render/platform, and render.Platforms is the one place that names them.
var platformPackages = []string{
	"github.com/flux-ledger/flux-ledger/generator/render/besu",
	"github.com/flux-ledger/flux-ledger/generator/render/fabric",
}

// The orchestration asks the network's platform (render.PlatformOf) and names none:
// generate, launch, plan and the rollout plan counts restarts with import neither a
// platform package nor any package under one, so that a third ledger adds a package,
// not branches in every step. Tests may import them (to build fixtures); the code may
// not.
func TestOrchestrationImportsNoPlatformPackage(t *testing.T) {
	for _, dir := range []string{".", "launch", "plan", "rollout"} {
		for _, v := range platformImports(t, dir) {
			t.Errorf("%s: the orchestration reaches past the platform seam (render/platform, render.PlatformOf)", v)
		}
	}
}

// The check above can fail: a file that imports a platform's subpackage is named,
// with the import, and a test file or a package that merely shares the prefix is not.
func TestPlatformImportCheckNamesFileAndImport(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"step.go":         "package step\n\nimport (\n\t\"fmt\"\n\t_ \"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx\"\n)\n\nvar _ = fmt.Sprint\n",
		"fixture_test.go": "package step\n\nimport _ \"github.com/flux-ledger/flux-ledger/generator/render/besu\"\n",
		"other.go":        "package step\n\nimport _ \"github.com/flux-ledger/flux-ledger/generator/render/besuish\"\n",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := platformImports(t, dir)
	want := []string{filepath.Join(dir, "step.go") + ` imports "github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"`}
	if !slices.Equal(got, want) {
		t.Errorf("violations %q, want %q", got, want)
	}
}

// platformImports lists, as "file imports path", every import of a platform package
// or of a package under one by the non-test Go files of dir (whatever their build
// tags: go/parser reads them all).
func platformImports(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("%s: no Go files: the check would pass on nothing", dir)
	}
	var out []string
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, spec := range f.Imports {
			p, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				t.Fatal(err)
			}
			for _, pkg := range platformPackages {
				if p == pkg || strings.HasPrefix(p, pkg+"/") {
					out = append(out, file+" imports "+strconv.Quote(p))
				}
			}
		}
	}
	return out
}
