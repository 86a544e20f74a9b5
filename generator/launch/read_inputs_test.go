package launch_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/launch/launchtest"
)

// launch compares the genesis it records with every party's rendered one. A party
// that commits its rendered genesis as a link (to a file of the launching operator's
// machine, or to a FIFO that would hang it) is refused by name, never followed.
func TestLaunchNeverFollowsALinkedRenderedGenesis(t *testing.T) {
	repo := launchtest.Unlaunched(t)
	rendered := filepath.Join(repo, "parties", "beta", "shared", "genesis.yaml")
	elsewhere := filepath.Join(t.TempDir(), "genesis.yaml")
	if err := os.Rename(rendered, elsewhere); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, rendered); err != nil {
		t.Fatal(err)
	}
	_, err := launch.Launch(repo)
	if err == nil || !strings.Contains(err.Error(), "parties/beta/shared/genesis.yaml") || !strings.Contains(err.Error(), "link") {
		t.Fatalf("launch with a linked rendered genesis: %v", err)
	}
}
