package gitops_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"

	"github.com/flux-ledger/flux-ledger/generator/gitops"
)

// gitCLI runs the real git in dir with only the environment the test gives it: HOME
// holds the user's global configuration, and the system file is ignored
// (GIT_CONFIG_NOSYSTEM, git-config(1) "ENVIRONMENT").
func gitCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// userWithGlobalConfig gives the test a HOME whose ~/.gitconfig names the user, as
// `git config --global` writes it, and nothing in the repository's own configuration.
func userWithGlobalConfig(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for _, v := range []string{"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	gitCLI(t, home, "config", "--global", "user.name", "Ada Operator")
	gitCLI(t, home, "config", "--global", "user.email", "ada@contoso.example")
	repo := filepath.Join(home, "repo")
	gitCLI(t, home, "init", "-q", "-b", "main", repo)
	if local := gitCLI(t, repo, "config", "--local", "--list"); strings.Contains(local, "user.") {
		t.Fatalf("the repository's own configuration names a user:\n%s", local)
	}
	return repo
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A user who ran only `git config --global user.name …` can commit what generate
// wrote together with a `git rm` of an input: the author is the global one, as git
// itself would take it, and the staged deletion is in the commit.
func TestCommitTakesTheGlobalAuthorAndStagedDeletions(t *testing.T) {
	repo := userWithGlobalConfig(t)
	write(t, filepath.Join(repo, "cue", "identities", "gone.cue"), "package identities\n")
	write(t, filepath.Join(repo, "cue", "network.cue"), "package tradenet\n")
	write(t, filepath.Join(repo, "parties", "a", "kustomization.yaml"), "resources: []\n")
	gitCLI(t, repo, "add", "-A")
	gitCLI(t, repo, "commit", "-q", "-m", "base")

	gitCLI(t, repo, "rm", "-q", "cue/identities/gone.cue")
	write(t, filepath.Join(repo, "cue", "network.cue"), "package tradenet\n// changed\n")
	write(t, filepath.Join(repo, "parties", "a", "kustomization.yaml"), "resources: [x.yaml]\n")

	g, err := git.PlainOpen(repo)
	if err != nil {
		t.Fatal(err)
	}
	_, err = gitops.Commit(g, gitops.CommitOptions{
		Generated:     func(p string) bool { return strings.HasPrefix(p, "parties/") },
		IncludeInputs: true,
		Subject:       "generate",
		Check:         func(string, []byte) error { return nil },
	})
	if err != nil {
		t.Fatalf("commit: %v", err)
	}
	if got := gitCLI(t, repo, "log", "-1", "--format=%an <%ae>"); got != "Ada Operator <ada@contoso.example>" {
		t.Errorf("author %q, want the global user", got)
	}
	changed := gitCLI(t, repo, "show", "--name-status", "--format=", "HEAD")
	for _, want := range []string{"D\tcue/identities/gone.cue", "M\tcue/network.cue", "M\tparties/a/kustomization.yaml"} {
		if !strings.Contains(changed, want) {
			t.Errorf("the commit lacks %q:\n%s", want, changed)
		}
	}
	if status := gitCLI(t, repo, "status", "--porcelain"); status != "" {
		t.Errorf("left uncommitted:\n%s", status)
	}
}

// GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL come before any configuration, as for git.
func TestCommitAuthorFromTheEnvironment(t *testing.T) {
	repo := userWithGlobalConfig(t)
	write(t, filepath.Join(repo, "parties", "a", "kustomization.yaml"), "resources: []\n")
	gitCLI(t, repo, "add", "-A")
	gitCLI(t, repo, "commit", "-q", "-m", "base")
	write(t, filepath.Join(repo, "parties", "a", "kustomization.yaml"), "resources: [x.yaml]\n")
	t.Setenv("GIT_AUTHOR_NAME", "CI Bot")
	t.Setenv("GIT_AUTHOR_EMAIL", "ci@contoso.example")
	g, err := git.PlainOpen(repo)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gitops.Commit(g, gitops.CommitOptions{Generated: func(p string) bool { return strings.HasPrefix(p, "parties/") }, Subject: "generate"}); err != nil {
		t.Fatal(err)
	}
	if got := gitCLI(t, repo, "log", "-1", "--format=%an <%ae>"); got != "CI Bot <ci@contoso.example>" {
		t.Errorf("author %q, want the environment's", got)
	}
}
