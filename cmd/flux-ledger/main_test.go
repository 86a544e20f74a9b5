package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
	"sigs.k8s.io/yaml"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "flux-ledger-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "flux-ledger")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, args := range [][]string{{}, {"vet"}, {"generate"}, {"keys"}, {"keys", "init"}, {"keys", "rewrap"}, {"keys", "verify"}, {"keys", "renew"}, {"init"}, {"version"}, {"graph"}, {"plan"}, {"approve"}, {"status"}, {"launch"}, {"validators"}, {"validators", "record"}, {"channels"}, {"channels", "record"}, {"channels", "sign"}} {
		out, errOut, code := run(t, append(args, "--help")...)
		if code != 0 || !strings.Contains(out, "Usage:") {
			t.Errorf("%v --help: exit %d\n%s%s", args, code, out, errOut)
		}
	}
}

func TestVetErrorsAreOneLineEach(t *testing.T) {
	network := strings.Replace(testenv.BaseNetwork(t, "", ""), `chainId:  1337`, `chainId:  0`, 1)
	network = strings.Replace(network, `"alpha-rpc": {role: "rpc",`, `"alpha-rpc": {role: "observer",`, 1)
	repo := testenv.Repo(t, network)
	_, errOut, code := run(t, "vet", filepath.Join(repo, "cue"))
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 error lines, got:\n%s", errOut)
	}
	for _, line := range lines {
		if !strings.HasPrefix(line, "flux-ledger: ") || !strings.Contains(line, "network.cue:") {
			t.Errorf("line %q lacks prefix or position", line)
		}
	}
	if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
		t.Error("stack trace on a user error")
	}
}

func TestUnknownCommandAndBadFlags(t *testing.T) {
	if _, errOut, code := run(t, "keys", "init"); code == 0 || !strings.Contains(errOut, `at least one of the flags in the group [party all] is required`) {
		t.Errorf("keys init without --party: exit %d: %s", code, errOut)
	}
	if _, errOut, code := run(t, "vet", filepath.Join(t.TempDir(), "missing")); code != 1 || !strings.Contains(errOut, "no such directory") {
		t.Errorf("vet of a missing directory: exit %d: %s", code, errOut)
	}
}

func TestGenerateCheckReportsDriftAndWritesNothing(t *testing.T) {
	repo := keyedRepo(t)
	out, errOut, code := run(t, "--repo", repo, "generate", "--check")
	if code != 1 || !strings.Contains(out, "add parties/alpha/shared/kustomization.yaml") || !strings.Contains(errOut, "out of date") {
		t.Fatalf("check on an ungenerated repo: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(repo, "parties", "alpha", "shared", "kustomization.yaml")); err == nil {
		t.Fatal("generate --check wrote files")
	}
	if out, errOut, code := run(t, "--repo", repo, "generate"); code != 0 || !strings.Contains(out, "parties/alpha:") {
		t.Fatalf("generate: exit %d\n%s%s", code, out, errOut)
	}
	if out, _, code := run(t, "--repo", repo, "generate", "--check"); code != 0 || !strings.HasSuffix(out, "0 changed\n") {
		t.Fatalf("check after generate: exit %d\n%s", code, out)
	}
}

// TestCITemplates checks the shipped CI definitions parse and run what the README says.
func TestCITemplates(t *testing.T) {
	root := testenv.RepoRoot(t)
	for _, file := range []string{".github/workflows/network.yml", "azure-pipelines.yml"} {
		data, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		var parsed map[string]any
		if err := yaml.Unmarshal(data, &parsed); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, want := range []string{"make vet", "flux-ledger generate --check", "kyverno test policies/tests", "make test", "plan --base", "--output markdown"} {
			if !strings.Contains(string(data), want) {
				t.Errorf("%s does not run %q", file, want)
			}
		}
	}
}

// keyedRepo is a repository of the two-party base network with every node's key
// sealed to fresh age keys, not yet generated.
func keyedRepo(t *testing.T) string {
	t.Helper()
	alpha, _ := testenv.AgeKey(t)
	beta, _ := testenv.AgeKey(t)
	repo := testenv.Repo(t, testenv.BaseNetwork(t, alpha.Recipient().String(), beta.Recipient().String()))
	for _, p := range []string{"alpha", "beta"} {
		if _, err := keys.Init(repo, keys.InitOptions{Party: p}); err != nil {
			t.Fatal(err)
		}
	}
	return repo
}

// generatedRepo is keyedRepo after flux-ledger generate.
func generatedRepo(t *testing.T) string {
	t.Helper()
	repo := keyedRepo(t)
	if _, errOut, code := run(t, "--repo", repo, "generate"); code != 0 {
		t.Fatal(errOut)
	}
	return repo
}

// alphaKeyring is the armored public keyring of a fresh OpenPGP key of party alpha.
func alphaKeyring(t *testing.T) string {
	_, ring := testenv.PGPKey(t, "Alpha", "ops@alpha.example")
	return ring
}
