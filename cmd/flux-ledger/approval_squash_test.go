package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A squash merge of an approved pull request produces the same trees, so the squash
// commit is approved; audit shows who approved it with which key. Amending it with
// anything else makes the approvals stale.
func TestSquashMergeOfAnApprovedChangeStaysApproved(t *testing.T) {
	n := newApprovalNet(t)
	n.changeBetaCluster()
	n.approveAlpha()
	n.approveBeta()
	n.squashMerge("change")
	if got := n.git("rev-list", "--count", "HEAD"); strings.TrimSpace(got) != "2" {
		t.Fatalf("main has %s commits, want the network and one squash", got)
	}
	out, code := n.plan("--base", "HEAD~1")
	if code != 0 || strings.Count(out, "approved (") != 2 {
		t.Fatalf("squash commit: exit %d\n%s", code, out)
	}
	audit := n.flux("audit")
	var squash string
	for _, line := range strings.Split(audit, "\n") {
		if strings.Contains(line, "Squashed change") {
			squash = line
		}
	}
	if !strings.Contains(audit, "APPROVED BY") || !strings.Contains(squash, "alpha SHA256:") || !strings.Contains(squash, "beta "+n.betaFpr) || strings.Contains(squash, "REFUSED") {
		t.Errorf("audit:\n%s", audit)
	}

	var entries []struct {
		Summary   string `json:"summary"`
		Approvals []struct {
			Party, Key, Problem string
		} `json:"approvals"`
	}
	if err := json.Unmarshal([]byte(n.flux("audit", "--output", "json")), &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 || len(entries[0].Approvals) != 2 || entries[0].Approvals[1].Party != "beta" || entries[0].Approvals[1].Key != n.betaFpr || entries[0].Approvals[0].Problem != "" {
		t.Errorf("audit --output json: %+v", entries)
	}

	// The same approvals on a squash that also carries another change.
	if err := os.WriteFile(filepath.Join(n.work, "cue", "extra.cue"), []byte("package network\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	n.git("add", "-A")
	n.git("commit", "-q", "--amend", "-m", "Squashed change, and more")
	out, code = n.plan("--base", "HEAD~1")
	if code != 1 || strings.Count(out, "refused: stale: approves result tree ") != 2 {
		t.Errorf("amended squash: exit %d\n%s", code, out)
	}
	if audit := n.flux("audit"); strings.Count(audit, "REFUSED approvals/") != 2 {
		t.Errorf("audit of the amended squash:\n%s", audit)
	}
}
