package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/approval"
)

// A forged approval of beta — by a key nobody listed, by another party's key, or a
// genuine signature over an altered statement — is refused with its reason, and beta
// still counts as missing; so is any other file under approvals/, which no approval
// covers.
func TestRequireApprovalsRefusesForgedApprovals(t *testing.T) {
	n := newApprovalNet(t)
	n.changeBetaCluster()
	n.approveAlpha()
	alphaFile := strings.TrimSpace(n.git("ls-files", "approvals"))
	// beta's genuine approval, to take its statement from; not committed.
	n.flux("approve", "--party", "beta", "--format", "openpgp", "--key", n.betaID)
	genuine := n.uncommittedApproval()
	f, err := approval.Parse(genuine.data)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(genuine.path)
	s := f.Statement
	stranger, _ := n.sshKey("stranger")
	sign := func(key string) []byte {
		data, err := approval.Sign(context.Background(), s, approval.Signer{Format: "ssh", Key: key})
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	alphaData, err := os.ReadFile(filepath.Join(n.work, alphaFile))
	if err != nil {
		t.Fatal(err)
	}
	otherTree := strings.Repeat("ab", 20)
	for _, c := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"a key of no party", s.FileName(), sign(stranger), "forged: signed by key SHA256:"},
		{"another party's key", s.FileName(), sign(n.alphaKey), "forged: signed by alpha's key SHA256:"},
		{"an altered OpenPGP statement", s.FileName(), []byte(strings.Replace(string(genuine.data), s.ResultTree, otherTree, 1)), "forged: bad signature by an approval key of beta"},
		{"a file that is no approval", "approvals/readme.txt", []byte("approved by everyone\n"), "not an approval file: no signature"},
		{"an altered SSH statement", "approvals/alpha-altered.approval", []byte(strings.Replace(string(alphaData), "network: testnet", "network: testnex", 1)), "forged: bad signature by an approval key of alpha"},
	} {
		t.Run(c.name, func(t *testing.T) {
			n.git("checkout", "-q", "-b", "forged")
			defer n.git("branch", "-q", "-D", "forged")
			defer n.git("checkout", "-q", "-f", "change")
			if err := os.WriteFile(filepath.Join(n.work, c.file), c.data, 0o644); err != nil {
				t.Fatal(err)
			}
			n.commitAll("forged approval")
			out, code := n.plan()
			line := "approval " + c.file + " refused: " + c.want
			if code != 1 || !strings.Contains(out, line) || !strings.Contains(out, "approval of party beta is missing") {
				t.Errorf("exit %d, want a line %q:\n%s", code, line, out)
			}
			if strings.Contains(out, "approval "+alphaFile+" refused") {
				t.Errorf("alpha's genuine approval refused:\n%s", out)
			}
		})
	}
}

type workFile struct {
	path string
	data []byte
}

// uncommittedApproval is the one approval file of the work tree that is not committed.
func (n *approvalNet) uncommittedApproval() workFile {
	n.t.Helper()
	out := strings.Fields(n.git("ls-files", "--others", "approvals"))
	if len(out) != 1 {
		n.t.Fatalf("want one new approval file, got %v", out)
	}
	p := filepath.Join(n.work, out[0])
	data, err := os.ReadFile(p)
	if err != nil {
		n.t.Fatal(err)
	}
	return workFile{path: p, data: data}
}
