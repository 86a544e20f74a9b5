package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// TestInitToPlanWithTheBinaryOnly is a consortium's first hour: init a repository for
// three parties in an empty directory, create their keys, generate, commit, change the
// network and plan it — with the built binary and git, no Makefile, no source tree.
func TestInitToPlanWithTheBinaryOnly(t *testing.T) {
	repo := filepath.Join(t.TempDir(), "tradenet")
	args := []string{"init", repo, "--name", "tradenet"}
	for _, party := range []string{"contoso", "fabrikam", "northwind"} {
		id, _ := testenv.AgeKey(t)
		args = append(args, "--party", party+"="+id.Recipient().String(), "--reviewer", party+"=@"+party+"-ops", "--reviewer", party+"=ops@"+party+".example")
	}
	mustRun(t, args...)
	if data, err := os.ReadFile(filepath.Join(repo, "cue", "network.cue")); err != nil || !strings.Contains(string(data), `reviewers: ["@contoso-ops", "ops@contoso.example"]`) {
		t.Errorf("the starter network does not carry the reviewers: %v\n%s", err, data)
	}
	for _, want := range []string{"cue/network.cue", "cue/schema/network.cue", "cue/cue.mod/module.cue",
		".github/workflows/network.yml", "azure-pipelines.yml", ".gitignore", "README.md"} {
		if _, err := os.Stat(filepath.Join(repo, want)); err != nil {
			t.Errorf("init did not write %s: %v", want, err)
		}
	}
	t.Run("the real cue CLI accepts the starter network", func(t *testing.T) {
		cmd := exec.Command(testenv.Tool(t, "cue"), "vet", "-c", "./...")
		cmd.Dir = filepath.Join(repo, "cue")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("cue vet -c ./...: %v\n%s", err, out)
		}
	})
	mustRun(t, "--repo", repo, "keys", "init", "--all")
	mustRun(t, "--repo", repo, "generate")
	if stdout := mustRun(t, "--repo", repo, "generate", "--check"); !strings.Contains(stdout, "0 changed") {
		t.Errorf("generate --check after generate: %s", stdout)
	}
	runGit(t, repo, "init", "-q", "-b", "main")
	runGit(t, repo, "add", "-A")
	runGit(t, repo, "commit", "-q", "-m", "Start the tradenet network")

	network := filepath.Join(repo, "cue", "network.cue")
	data, err := os.ReadFile(network)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), `"contoso-rpc-1": {`, `"contoso-rpc-2": {
			cluster: "contoso-cluster"
			image:   "docker.io/hyperledger/besu:24.12.2"
			role:    "rpc"
		}
		"contoso-rpc-1": {`, 1)
	if edited == string(data) {
		t.Fatal("the starter network has no contoso-rpc-1 to copy")
	}
	if err := os.WriteFile(network, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "--repo", repo, "keys", "init", "--party", "contoso")
	mustRun(t, "--repo", repo, "generate")
	plan := mustRun(t, "--repo", repo, "plan", "--base", "main")
	if !strings.Contains(plan, "contoso-rpc-2") {
		t.Errorf("plan does not name the added node:\n%s", plan)
	}
	// A fresh repository is valid and warns only of the placeholders the consortium
	// replaces before launch: the repository URL, and per party its contact, its
	// reviewer under .example (given above), its DNS suffix and its egress CIDR.
	_, stderr, code := run(t, "vet", filepath.Join(repo, "cue"))
	warnings := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != 0 || len(warnings) != 1+4*3 {
		t.Errorf("vet of a fresh repository: exit %d, %d warnings, want 13:\n%s", code, len(warnings), stderr)
	}
	for _, w := range warnings {
		if !strings.HasPrefix(w, "flux-ledger: warning: ") || !strings.Contains(w, ": placeholder ") {
			t.Errorf("vet of a fresh repository: %q is no placeholder warning", w)
		}
	}
	for _, field := range []string{"network.repository.url: ", "network.parties.fabrikam.contact: ", "network.parties.fabrikam.reviewers.1: ",
		`network.clusters."fabrikam-cluster".exposure.dnsSuffix: `, `network.clusters."fabrikam-cluster".egressCIDRs.0: `} {
		if !strings.Contains(stderr, field) {
			t.Errorf("vet of a fresh repository does not warn of %s\n%s", field, stderr)
		}
	}
	if _, stderr, code := run(t, "--repo", repo, "launch"); code != 1 || !strings.Contains(stderr, "13 placeholder values remain") {
		t.Errorf("launch of a fresh repository: exit %d, %s", code, stderr)
	}
}

func TestInitRefusesBadInputAndWritesNothing(t *testing.T) {
	valid, _ := testenv.AgeKey(t)
	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"no parties":         {[]string{"--name", "net"}, "--party"},
		"no name":            {[]string{"--party", "a=" + valid.Recipient().String()}, "--name"},
		"bad recipient":      {[]string{"--name", "net", "--party", "a=age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"}, `--party a: "age1`},
		"no recipient":       {[]string{"--name", "net", "--party", "a"}, "NAME=AGE_RECIPIENT"},
		"party twice":        {[]string{"--name", "net", "--party", "a=" + valid.Recipient().String(), "--party", "a=" + valid.Recipient().String()}, "named twice"},
		"name not a label":   {[]string{"--name", "Not_A_Label", "--party", "a=" + valid.Recipient().String()}, `--name "Not_A_Label"`},
		"schema refuses it":  {[]string{"--name", "net", "--chain-id", "0", "--party", "a=" + valid.Recipient().String()}, "does not validate"},
		"platform not known": {[]string{"--name", "net", "--platform", "corda", "--party", "a=" + valid.Recipient().String()}, "--platform"},
		"party without reviewer": {[]string{"--name", "net", "--party", "a=" + valid.Recipient().String(), "--party", "b=" + valid.Recipient().String(),
			"--reviewer", "a=@a-ops"}, "--reviewer b=HANDLE: party b names no reviewer"},
		"reviewer of no party": {[]string{"--name", "net", "--party", "a=" + valid.Recipient().String(), "--reviewer", "c=@c-ops"}, "no --party c"},
		"reviewer with #":      {[]string{"--name", "net", "--party", "a=" + valid.Recipient().String(), "--reviewer", "a=#ops@a.example"}, "does not validate"},
	} {
		t.Run(name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "net")
			_, stderr, code := run(t, append([]string{"init", dir}, c.args...)...)
			if code == 0 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "goroutine") {
				t.Errorf("exit %d, stderr %q: want an error containing %q", code, stderr, c.want)
			}
			for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
				if !strings.HasPrefix(line, "flux-ledger: ") || strings.Contains(line, ".flux-ledger-init-") {
					t.Errorf("error line %q: want one problem per line, naming the user's files", line)
				}
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("init left %v behind", entries)
			}
		})
	}
}

func TestInitRefusesANonEmptyDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	id, _ := testenv.AgeKey(t)
	_, stderr, code := run(t, "init", dir, "--name", "net", "--party", "a="+id.Recipient().String())
	if code == 0 || !strings.Contains(stderr, "not empty (notes.txt)") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(data) != "mine" {
		t.Error("init touched an existing file")
	}
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	stdout, stderr, code := run(t, args...)
	if code != 0 {
		t.Fatalf("flux-ledger %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
	}
	return stdout
}

func runGit(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}
