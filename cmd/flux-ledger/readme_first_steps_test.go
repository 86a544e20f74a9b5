package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// The README's first steps work as written: its first shell block, from the line
// after the build, runs under bash with the built flux-ledger first on PATH and a Git
// that knows only a global identity, and leaves a generated, committed network whose
// keys each party's own identity file opens.
func TestReadmeFirstSteps(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Start your consortium's network\n")
	if !ok {
		t.Fatal("README.md has no section \"Start your consortium's network\"")
	}
	_, block, ok := strings.Cut(section, "\n```sh\n")
	if !ok {
		t.Fatal("the first steps have no sh block")
	}
	block, _, _ = strings.Cut(block, "\n```\n")
	lines := strings.Split(block, "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "git clone ") || !strings.Contains(lines[0], "make -C flux-ledger build") || !strings.HasPrefix(lines[1], "export PATH=") {
		t.Fatalf("the block no longer starts with the clone and build this test stands in for:\n%s", block)
	}
	// make build is the Makefile's target that writes bin/flux-ledger.
	makefile, _ := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "Makefile"))
	if !strings.Contains(string(makefile), "\nbuild:") || !strings.Contains(string(makefile), "-o $(BIN)/flux-ledger") {
		t.Fatal("the Makefile's build target no longer writes bin/flux-ledger")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	dir, home := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[user]\n\tname = Ana Contoso\n\temail = ana@contoso.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, "-euo", "pipefail", "-c", strings.Join(lines[2:], "\n"))
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + filepath.Dir(binary) + ":" + os.Getenv("PATH"), "HOME=" + home, "GIT_CONFIG_NOSYSTEM=1"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's first steps failed: %v\n%s", err, out)
	}
	if strings.Count(string(out), "Public key: age1") != 3 {
		t.Errorf("age-key printed no public key for each party:\n%s", out)
	}
	for _, party := range []string{"contoso", "fabrikam", "northwind"} {
		if _, err := os.Stat(filepath.Join(dir, "tradenet", "parties", party, "secrets")); err != nil {
			t.Errorf("party %s: %v", party, err)
		}
	}
	log, err := exec.Command("git", "-C", filepath.Join(dir, "tradenet"), "log", "--format=%an %s").Output()
	if err != nil || strings.TrimSpace(string(log)) != "Ana Contoso Start the tradenet network" {
		t.Errorf("git log: %q, %v", log, err)
	}
	// The real sops opens contoso's sealed node key with contoso's identity file, and
	// not with fabrikam's.
	keys, _ := filepath.Glob(filepath.Join(dir, "tradenet", "parties", "contoso", "secrets", "*-nodekey.yaml"))
	if len(keys) == 0 {
		t.Fatal("no sealed node key of contoso")
	}
	decrypt := func(identity string) (string, error) {
		sops := exec.Command(testenv.Tool(t, "sops"), "--decrypt", keys[0])
		sops.Env = append(os.Environ(), "SOPS_AGE_KEY_FILE="+filepath.Join(dir, identity))
		out, err := sops.CombinedOutput()
		return string(out), err
	}
	if out, err := decrypt("contoso.agekey"); err != nil || !strings.Contains(out, "kind: Secret") {
		t.Errorf("sops --decrypt with contoso.agekey: %v\n%s", err, out)
	}
	if _, err := decrypt("fabrikam.agekey"); err == nil {
		t.Error("fabrikam's identity opens contoso's node key")
	}
}
