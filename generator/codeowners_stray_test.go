package generator_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/launch/launchtest"
)

// TestStrayCodeOwnersFailTheDriftCheck: GitHub reads .github/CODEOWNERS, CODEOWNERS,
// docs/CODEOWNERS and GitLab CODEOWNERS, docs/CODEOWNERS, .gitlab/CODEOWNERS, the
// first found (docs.github.com, "About code owners"; ee/lib/gitlab/code_owners.rb).
// generate writes the first of each; a file at another of these places, added by
// hand, fails generate --check and generate by name, and writes nothing.
func TestStrayCodeOwnersFailTheDriftCheck(t *testing.T) {
	repo := launchtest.Repo(t)
	launchtest.Generate(t, repo)
	for _, p := range []string{".github/CODEOWNERS", "CODEOWNERS"} {
		if _, err := os.Stat(filepath.Join(repo, p)); err != nil {
			t.Errorf("generate did not write %s: %v", p, err)
		}
	}
	for _, stray := range []string{"docs/CODEOWNERS", ".gitlab/CODEOWNERS"} {
		file := filepath.Join(repo, filepath.FromSlash(stray))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte("* @mallory\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, check := range []bool{true, false} {
			_, err := generator.Generate(generator.Options{Repo: repo, Check: check})
			if err == nil || !strings.HasPrefix(err.Error(), stray+": a code-owners file flux-ledger does not write") {
				t.Errorf("%s, check %t: err = %v", stray, check, err)
			}
		}
		os.Remove(file)
	}
	// A hand edit of a generated one is drift like any other.
	if err := os.WriteFile(filepath.Join(repo, ".github", "CODEOWNERS"), []byte("* @mallory\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	report, err := generator.Generate(generator.Options{Repo: repo, Check: true})
	if err != nil || len(report.Changes) != 1 || report.Changes[0].Path != ".github/CODEOWNERS" {
		t.Errorf("edited .github/CODEOWNERS: %v, %v", report, err)
	}
}
