package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// approvalNet is a network whose parties sign approvals with real tools: alpha with
// an SSH key made by ssh-keygen, beta with an OpenPGP key made by gpg in a temporary
// GNUPGHOME. Its history lives in a bare repository (origin) and a clone (work)
// driven by the real git CLI, as a party's checkout of a pull request is.
type approvalNet struct {
	t        *testing.T
	work     string
	env      []string // HOME, GNUPGHOME, Git identity: nothing of the user's own setup
	alphaKey string   // alpha's SSH private key file
	alphaPub string
	betaID   string // beta's OpenPGP user ID, for gpg --local-user
	betaFpr  string
}

// newApprovalNet commits the generated two-party network (both parties with
// approval keys) on main, pushes it to a bare origin, and checks out branch change.
func newApprovalNet(t *testing.T) *approvalNet {
	t.Helper()
	for _, tool := range []string{"git", "gpg", "ssh-keygen", "gpgconf"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to sign approvals as a party would: %v", tool, err)
		}
	}
	home := t.TempDir()
	// gpg-agent's socket lives in GNUPGHOME, and a Unix socket path is limited to
	// about 108 bytes: t.TempDir() names can be longer.
	gnupg, err := os.MkdirTemp("", "gpg")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(gnupg, 0o700)
	n := &approvalNet{t: t, env: append(os.Environ(),
		"HOME="+home, "GNUPGHOME="+gnupg, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+filepath.Join(home, "gitconfig"),
		"GIT_AUTHOR_NAME=Tester", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=Tester", "GIT_COMMITTER_EMAIL=t@example.com",
	)}
	t.Cleanup(func() {
		// The agent gpg started for this GNUPGHOME, and only it.
		cmd := exec.Command("gpgconf", "--kill", "gpg-agent")
		cmd.Env = n.env
		cmd.Run()
		os.RemoveAll(gnupg)
	})
	n.alphaKey, n.alphaPub = n.sshKey("alpha")
	n.betaID = "Beta Approvals <approvals@beta.example>"
	n.tool("gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", n.betaID, "ed25519", "sign", "never")
	betaPub := n.tool("gpg", "--armor", "--export", n.betaID)
	for _, line := range strings.Split(n.tool("gpg", "--with-colons", "--fingerprint", n.betaID), "\n") {
		if strings.HasPrefix(line, "fpr:") && n.betaFpr == "" {
			n.betaFpr = strings.Split(line, ":")[9]
		}
	}

	n.work = keyedRepo(t)
	testenv.EditNetwork(t, n.work, `contact:     "ops@alpha.example"`,
		`contact:     "ops@alpha.example"`+"\n\t\t\tapprovalKeys: [{kind: \"ssh\", key: "+strconv.Quote(n.alphaPub)+"}]")
	testenv.EditNetwork(t, n.work, `contact:     "ops@beta.example"`,
		`contact:     "ops@beta.example"`+"\n\t\t\tapprovalKeys: [{kind: \"openpgp\", key: "+strconv.Quote(betaPub)+"}]")
	n.flux("generate")
	origin := filepath.Join(t.TempDir(), "origin.git")
	n.git("init", "-q", "-b", "main")
	n.git("add", "-A")
	n.git("commit", "-q", "-m", "network")
	n.tool("git", "init", "-q", "--bare", "-b", "main", origin)
	n.git("remote", "add", "origin", origin)
	n.git("push", "-q", "origin", "main")
	n.git("checkout", "-q", "-b", "change")
	return n
}

// sshKey makes an ed25519 key with ssh-keygen, without passphrase.
func (n *approvalNet) sshKey(name string) (private, public string) {
	dir, err := os.MkdirTemp("", "ssh")
	if err != nil {
		n.t.Fatal(err)
	}
	n.t.Cleanup(func() { os.RemoveAll(dir) })
	private = filepath.Join(dir, name)
	n.tool("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", private)
	pub, err := os.ReadFile(private + ".pub")
	if err != nil {
		n.t.Fatal(err)
	}
	return private, strings.TrimSpace(string(pub))
}

// tool runs a program in the test's environment and returns its standard output.
func (n *approvalNet) tool(name string, args ...string) string {
	n.t.Helper()
	out, errOut, code := n.exec(name, args...)
	if code != 0 {
		n.t.Fatalf("%s %s: exit %d\n%s%s", name, strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func (n *approvalNet) exec(name string, args ...string) (string, string, int) {
	n.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = n.work
	cmd.Env = n.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
		return out.String(), errOut.String(), exit.ExitCode()
	} else if err != nil {
		n.t.Fatal(err)
	}
	return out.String(), errOut.String(), 0
}

func (n *approvalNet) git(args ...string) string { n.t.Helper(); return n.tool("git", args...) }

// flux runs flux-ledger in the work tree and fails the test on a non-zero exit.
func (n *approvalNet) flux(args ...string) string {
	n.t.Helper()
	return n.tool(binary, append([]string{"--repo", n.work}, args...)...)
}

// commitAll commits every change of the work tree.
func (n *approvalNet) commitAll(msg string) {
	n.t.Helper()
	n.git("add", "-A")
	n.git("commit", "-q", "-m", msg)
}

// changeBetaCluster is a pull request's change of beta's cluster, generated and
// committed.
func (n *approvalNet) changeBetaCluster() {
	n.t.Helper()
	testenv.EditNetwork(n.t, n.work, `egressCIDRs: ["198.51.100.0/28"]`, `egressCIDRs: ["198.51.100.16/28"]`)
	n.flux("generate")
	n.commitAll("beta-onprem: new egress range")
}

// approveAlpha signs alpha's approval with its SSH key, found as Git finds its signing
// key (git-config(1): gpg.format=ssh, user.signingKey = the key file), and commits it.
func (n *approvalNet) approveAlpha() string {
	n.t.Helper()
	n.git("config", "gpg.format", "ssh")
	n.git("config", "user.signingkey", n.alphaKey)
	defer n.git("config", "--unset", "gpg.format")
	defer n.git("config", "--unset", "user.signingkey")
	out := n.flux("approve", "--party", "alpha")
	n.commitAll("approve: alpha")
	return out
}

// approveBeta signs beta's approval with gpg, key and format given as flags.
func (n *approvalNet) approveBeta() string {
	n.t.Helper()
	out := n.flux("approve", "--party", "beta", "--format", "openpgp", "--key", n.betaID)
	n.commitAll("approve: beta")
	return out
}

// plan runs plan --require-approvals and returns its output and exit code.
func (n *approvalNet) plan(args ...string) (string, int) {
	n.t.Helper()
	out, errOut, code := n.exec(binary, append([]string{"--repo", n.work, "plan", "--require-approvals"}, args...)...)
	if strings.Contains(errOut, "panic") {
		n.t.Fatal(errOut)
	}
	return out + errOut, code
}
