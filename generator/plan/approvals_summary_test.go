package plan

import (
	"strings"
	"testing"
)

// A party's directories are counted in the terminal's approvals list, its sealed keys
// are always named one by one (each needs its owner's signature), and loose files stay
// listed.
func TestSummarisePathsCountsOwnedDirectoriesOnly(t *testing.T) {
	got := summarisePaths([]string{
		"cue/network.cue",
		"parties/tailspin/kustomization.yaml",
		"parties/tailspin/clusters/c/sync.yaml",
		"parties/tailspin/secrets/n-nodekey.yaml",
		"policies/parties/tailspin/isolation.yaml",
		"policies/parties/tailspin/resources.yaml",
		"policies/parties/.flux-ledger.index",
	})
	want := "cue/network.cue, parties/tailspin/ (2 files), parties/tailspin/secrets/n-nodekey.yaml, policies/parties/tailspin/ (2 files), policies/parties/.flux-ledger.index"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Adding a party's approval file to a change needs no other party's approval: it is
// judged by its signature, and left out of the trees approvals name. Anything else
// outside a party's own paths is every party's.
func TestApprovalFilesAreNobodysOtherPathsEveryones(t *testing.T) {
	if parties, everyone := Owners("approvals/contoso-0123456789ab.approval"); everyone || len(parties) != 0 {
		t.Errorf("approvals/…: parties %v, everyone %t", parties, everyone)
	}
	for _, p := range []string{"approvals", "approvals/x/y.approval", "README.md", ".github/CODEOWNERS", "channels/trade/updates/1-add-x.pb"} {
		if _, everyone := Owners(p); !everyone {
			t.Errorf("%s: not every party's", p)
		}
	}
}

// What every party must approve is said once, with who approves for each party;
// each party's line keeps only its own paths, so a shared file no longer hides in
// four 300-character lines.
func TestApprovalsSayTheSharedChangeOnce(t *testing.T) {
	p := &Plan{Approvals: []Approval{
		{Party: "a", Paths: []string{".sops.yaml", "cue/network.cue", "parties/a/x.yaml"}, Reviewers: []string{"@ana", "@org/a-ops"}},
		{Party: "b", Paths: []string{".sops.yaml", "cue/network.cue"}, Reviewers: []string{"ops@b.example"}},
	}}
	var text, md strings.Builder
	p.Text(&text)
	p.Markdown(&md)
	for _, want := range []string{"  every party      .sops.yaml, cue/network.cue\n", "reviewers: @ana, @org/a-ops; ops@b.example\n",
		"  a (@ana, @org/a-ops) parties/a/ (1 files)\n", "  b (ops@b.example) the shared change\n"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	for _, want := range []string{"Every party must approve the shared change (.sops.yaml, cue/network.cue): @ana, @org/a-ops; ops@b.example.",
		"| a | @ana, @org/a-ops | parties/a/ (1 files) |", "| b | ops@b.example | the shared change |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	if strings.Contains(md.String(), "<details>") {
		t.Errorf("two parties' rows are folded:\n%s", md.String())
	}
	if sharedPaths(p.Approvals[:1]) != nil {
		t.Error("one party: nothing is said to be shared")
	}
}

// Above five parties the per-party table folds under the one line that says what
// every party approves.
func TestManyPartiesApprovalsFold(t *testing.T) {
	p := &Plan{}
	for _, name := range []string{"a", "b", "c", "d", "e", "f"} {
		p.Approvals = append(p.Approvals, Approval{Party: name, Paths: []string{"cue/network.cue"}, Reviewers: []string{"@" + name}})
	}
	var md strings.Builder
	p.Markdown(&md)
	out := md.String()
	summary, details := strings.Index(out, "Every party must approve"), strings.Index(out, "<details><summary>Per party (6)</summary>")
	if summary < 0 || details < summary || !strings.Contains(out, "</details>") {
		t.Errorf("six parties: want the shared line, then the folded table:\n%s", out)
	}
}
