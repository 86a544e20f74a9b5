package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// A commit pushed after the approvals makes them stale: each is refused, naming the
// tree it approved and the change's. Approving again replaces the party's stale file.
func TestRequireApprovalsRefusesStaleApprovals(t *testing.T) {
	n := newApprovalNet(t)
	n.changeBetaCluster()
	n.approveAlpha()
	n.approveBeta()
	if out, code := n.plan(); code != 0 {
		t.Fatalf("approved: exit %d\n%s", code, out)
	}
	testenv.EditNetwork(t, n.work, `egressCIDRs: ["203.0.113.0/28"]`, `egressCIDRs: ["203.0.113.16/28"]`)
	n.flux("generate")
	n.commitAll("alpha-aks: new egress range too")

	out, code := n.plan()
	if code != 1 || strings.Count(out, "refused: stale: approves result tree ") != 2 || !strings.Contains(out, "beta must approve again") {
		t.Fatalf("after a new commit: exit %d\n%s", code, out)
	}
	if got := n.approveAlpha(); !strings.Contains(got, "removed approvals/alpha-") {
		t.Errorf("approve again kept alpha's stale file:\n%s", got)
	}
	out, code = n.plan()
	if code != 1 || strings.Contains(out, "alpha must approve again") || !strings.Contains(out, "beta must approve again") {
		t.Errorf("alpha approved again: exit %d\n%s", code, out)
	}
}

// An approval copied from an earlier pull request — genuine, by the right party — is
// refused as replayed: it names another base.
func TestRequireApprovalsRefusesReplayedApprovals(t *testing.T) {
	n := newApprovalNet(t)
	n.changeBetaCluster()
	n.approveAlpha()
	n.approveBeta()
	n.squashMerge("change")
	old := strings.Fields(n.git("ls-files", "approvals/beta-*"))
	if len(old) != 1 {
		t.Fatalf("beta's approvals on main: %v", old)
	}
	data, err := os.ReadFile(filepath.Join(n.work, old[0]))
	if err != nil {
		t.Fatal(err)
	}

	n.git("checkout", "-q", "-b", "next")
	testenv.EditNetwork(t, n.work, `egressCIDRs: ["198.51.100.16/28"]`, `egressCIDRs: ["198.51.100.32/28"]`)
	n.flux("generate")
	n.commitAll("beta-onprem: another egress range")
	n.approveAlpha()
	replayed := "approvals/beta-0123456789ab.approval"
	if err := os.WriteFile(filepath.Join(n.work, replayed), data, 0o644); err != nil {
		t.Fatal(err)
	}
	n.commitAll("beta's approval, copied")
	out, code := n.plan()
	if code != 1 || !strings.Contains(out, "approval "+replayed+" refused: replayed (or the base moved): approves a change from base tree ") || !strings.Contains(out, "approval of party beta is missing") {
		t.Fatalf("replayed approval: exit %d\n%s", code, out)
	}
	if strings.Contains(out, old[0]) {
		t.Errorf("an approval the base already holds was judged as this change's:\n%s", out)
	}
}

// squashMerge squashes branch onto main, commits and pushes, as a host's "squash and
// merge" does, and leaves main checked out.
func (n *approvalNet) squashMerge(branch string) {
	n.t.Helper()
	n.git("checkout", "-q", "main")
	n.git("merge", "-q", "--squash", branch)
	n.git("commit", "-q", "-m", "Squashed "+branch)
	n.git("push", "-q", "origin", "main")
	n.git("fetch", "-q", "origin")
}
