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
