package generator_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/gitops"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// generate --commit --include-inputs refuses, naming the file, anything that would put
// private key material into the shared history, and commits nothing.
func TestCommitRefusesKeyMaterial(t *testing.T) {
	ageKey, _ := testenv.AgeKey(t)
	cases := map[string]struct {
		path, content, want string
	}{
		"decrypted node key": {"parties/alpha/secrets/alpha-v1-nodekey.dec.yaml",
			"apiVersion: v1\nkind: Secret\nmetadata:\n  name: alpha-v1-nodekey\ndata:\n  key: MHhhYmNk\n",
			"a Kubernetes Secret whose data is not SOPS-encrypted"},
		"age identity":             {"cue/age-identity.txt", "# created: 2026-01-01\n" + ageKey.String() + "\n", "an age secret key"},
		"PEM key":                  {"cue/tls.txt", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n", "a PEM or OpenPGP private key"},
		"bare hex key":             {"cue/notes.cue", "package network\n\n// backup: 0x289c2857d4598e37fb9647507e47a309d6133539bf21a8b9cb6df88fd5232032\n", "a bare 32-byte hex key"},
		"unsealed file in secrets": {"parties/alpha/secrets/readme.yaml", "note: keep me\n", "not a SOPS-sealed file"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			repo, g := gitRepo(t)
			full := filepath.Join(repo, filepath.FromSlash(c.path))
			if err := os.WriteFile(full, []byte(c.content), 0o600); err != nil {
				t.Fatal(err)
			}
			testenv.EditNetwork(t, repo, `"alpha-rpc": {role: "rpc",`, `"alpha-rpc": {resources: limits: memory: "8Gi", role: "rpc",`)
			report := generate(t, repo)
			_, err := generator.Commit(report, generator.CommitOptions{Repo: repo, IncludeInputs: true, Author: alice})
			if err == nil || !strings.Contains(err.Error(), c.path+": ") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("commit: %v, want a refusal of %s (%s)", err, c.path, c.want)
			}
			if head, _ := gitops.Resolve(g, "HEAD"); head.Message != "network" {
				t.Fatal("a commit was made")
			}
		})
	}
}

// A sealed key moved into another party's secrets/ is sealed to the wrong recipients:
// refused before commit.
func TestCommitRefusesAKeySealedToAnotherParty(t *testing.T) {
	repo, g := gitRepo(t)
	data, err := os.ReadFile(filepath.Join(repo, "parties/beta/secrets/beta-v1-nodekey.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(repo, "parties/alpha/secrets/stolen-nodekey.yaml"), data, 0o644)
	report := generate(t, repo)
	_, err = generator.Commit(report, generator.CommitOptions{Repo: repo, IncludeInputs: true, Author: alice})
	if err == nil || !strings.Contains(err.Error(), "parties/alpha/secrets/stolen-nodekey.yaml: sealed to") {
		t.Fatalf("commit: %v", err)
	}
	if head, _ := gitops.Resolve(g, "HEAD"); head.Message != "network" {
		t.Fatal("a commit was made")
	}
}

// The repository's .gitignore keeps common private-key file names out of `git add`.
// Matched with go-git's gitignore implementation, the one go-git's status uses.
func TestGitignoreCoversKeyFiles(t *testing.T) {
	f, err := os.Open(filepath.Join(testenv.RepoRoot(t), ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var patterns []gitignore.Pattern
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			patterns = append(patterns, gitignore.ParsePattern(line, nil))
		}
	}
	m := gitignore.NewMatcher(patterns)
	for _, p := range []string{
		"contoso.agekey", "keys.txt", "cue/age-identity.txt", "parties/a/secrets/a-v1-nodekey.dec.yaml",
		"tls.key", "server.pem", "id_ed25519", "signing-secret.asc", "data/nodekey", "x.p12",
	} {
		if !m.Match(strings.Split(p, "/"), false) {
			t.Errorf("%s is not ignored", p)
		}
	}
	for _, p := range []string{"cue/network.cue", "parties/a/secrets/a-v1-nodekey.yaml", "policies/kustomization.yaml", "README.md"} {
		if m.Match(strings.Split(p, "/"), false) {
			t.Errorf("%s is ignored", p)
		}
	}
}
