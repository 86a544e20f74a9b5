package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/approval"
)

// A change of beta's cluster (in cue/, so every party approves it) is refused until
// each party's signed approval is committed: alpha's made with ssh-keygen, beta's with
// gpg. Then the plan passes, and says by which key each party approved.
func TestRequireApprovalsRefusesUntilEveryPartyApproves(t *testing.T) {
	n := newApprovalNet(t)
	n.changeBetaCluster()
	// What git itself computes: the approvals must name these trees.
	baseTree := strings.TrimSpace(n.git("rev-parse", "origin/main^{tree}"))
	resultTree := strings.TrimSpace(n.git("rev-parse", "HEAD^{tree}"))

	out, code := n.plan()
	if code != 1 || !strings.Contains(out, "approval of party alpha is missing") || !strings.Contains(out, "approval of party beta is missing") {
		t.Fatalf("no approvals: exit %d\n%s", code, out)
	}

	if got := n.approveAlpha(); !strings.Contains(got, "wrote approvals/alpha-") {
		t.Fatalf("approve alpha:\n%s", got)
	}
	out, code = n.plan()
	if code != 1 || strings.Contains(out, "approval of party alpha is missing") || !strings.Contains(out, "approval of party beta is missing") {
		t.Fatalf("alpha approved: exit %d\n%s", code, out)
	}

	n.flux("approve", "--party", "beta", "--format", "openpgp", "--key", n.betaID)
	out, code = n.plan()
	if code != 1 || !strings.Contains(out, "is not committed: approvals are read from commits") || !strings.Contains(out, "approval of party beta is missing") {
		t.Fatalf("beta's approval not committed: exit %d\n%s", code, out)
	}
	n.commitAll("approve: beta")
	for _, f := range strings.Fields(n.git("ls-files", "approvals")) {
		data, err := os.ReadFile(filepath.Join(n.work, f))
		if err != nil {
			t.Fatal(err)
		}
		a, err := approval.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		if a.Statement.BaseTree != baseTree || a.Statement.ResultTree != resultTree || a.Statement.Network != "testnet" {
			t.Errorf("%s approves %+v, want base tree %s, result tree %s", f, a.Statement, baseTree, resultTree)
		}
	}
	out, code = n.plan("--output", "json")
	if code != 0 {
		t.Fatalf("both approved: exit %d\n%s", code, out)
	}
	var p struct {
		Approvals []struct {
			Party  string   `json:"party"`
			Status string   `json:"status"`
			Keys   []string `json:"keys"`
		} `json:"approvals"`
		Refused []string `json:"refused"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := map[string]string{}
	for _, a := range p.Approvals {
		if a.Status != "approved" || len(a.Keys) != 1 {
			t.Errorf("party %s: status %q keys %v", a.Party, a.Status, a.Keys)
			continue
		}
		got[a.Party] = a.Keys[0]
	}
	if !strings.HasPrefix(got["alpha"], "SHA256:") || got["beta"] != n.betaFpr || len(p.Refused) != 0 {
		t.Errorf("approvals %v (beta's key %s), refused %v", got, n.betaFpr, p.Refused)
	}
	md, code := n.plan("--output", "markdown")
	if code != 0 || !strings.Contains(md, "Every party must approve the shared change (cue/network.cue): ") || !strings.Contains(md, " | parties/beta/") || !strings.Contains(md, "approved ("+n.betaFpr+")") {
		t.Errorf("markdown: exit %d\n%s", code, md)
	}
}

// approve refuses an uncommitted head, a party without keys, and a key that is not
// the party's: it never writes an approval plan would refuse.
func TestApproveRefusesWhatPlanWouldRefuse(t *testing.T) {
	n := newApprovalNet(t)
	n.changeBetaCluster()
	other, _ := n.sshKey("stranger")
	_, errOut, code := n.exec(binary, "--repo", n.work, "approve", "--party", "alpha", "--format", "ssh", "--key", other)
	if code != 1 || !strings.Contains(errOut, "forged: signed by key SHA256:") || !strings.Contains(errOut, "not an approval key of alpha") {
		t.Errorf("approve with a stranger's key: exit %d\n%s", code, errOut)
	}
	_, errOut, code = n.exec(binary, "--repo", n.work, "approve", "--party", "gamma", "--format", "ssh", "--key", n.alphaKey)
	if code != 1 || !strings.Contains(errOut, "--party gamma: no such party") {
		t.Errorf("approve for an unknown party: exit %d\n%s", code, errOut)
	}
	f, err := os.OpenFile(filepath.Join(n.work, "cue", "network.cue"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("// not yet committed\n")
	f.Close()
	_, errOut, code = n.exec(binary, "--repo", n.work, "approve", "--party", "alpha", "--format", "ssh", "--key", n.alphaKey)
	if code != 1 || !strings.Contains(errOut, "uncommitted change") {
		t.Errorf("approve with uncommitted changes: exit %d\n%s", code, errOut)
	}
	if out, _, _ := n.exec("git", "status", "--porcelain", "approvals"); out != "" {
		t.Errorf("a refused approve wrote files:\n%s", out)
	}
}
