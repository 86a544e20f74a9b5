package plan

import "testing"

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
