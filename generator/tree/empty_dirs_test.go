package tree

import (
	"os"
	"testing"
)

// Removing the last file of a directory removes the directories it empties, up to the
// repository root and never the root itself — also for a relative root, as the
// default --repo "." gives.
func TestRemoveLeavesNoEmptyDirectories(t *testing.T) {
	for _, root := range []string{".", "repo"} {
		t.Run(root, func(t *testing.T) {
			t.Chdir(t.TempDir())
			os.Mkdir("repo", 0o755)
			files := []string{"parties/gone/nodes/n1/node.yaml", "parties/gone/shared/genesis.yaml", "parties/kept/shared/genesis.yaml"}
			var add, remove []FileChange
			for _, f := range files {
				add = append(add, FileChange{Path: f, Action: Add, Data: []byte("x\n")})
			}
			if err := Apply(root, add); err != nil {
				t.Fatal(err)
			}
			for _, f := range files[:2] {
				remove = append(remove, FileChange{Path: f, Action: Remove})
			}
			if err := Apply(root, remove); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(root + "/parties/gone"); !os.IsNotExist(err) {
				t.Errorf("parties/gone left behind (%v)", err)
			}
			if _, err := os.Stat(root + "/parties/kept/shared/genesis.yaml"); err != nil {
				t.Errorf("a file of another directory went: %v", err)
			}
			if _, err := os.Stat(root); err != nil {
				t.Errorf("the root went: %v", err)
			}
		})
	}
}
