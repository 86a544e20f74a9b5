package keys_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/keys"
)

// A sealed node key that another party replaced by a symbolic link (to a file of its
// choosing outside the repository) is not read through the link: keys verify names it.
func TestVerifyRefusesASealedKeyThatIsALink(t *testing.T) {
	f := newFixture(t)
	f.init(t, "alpha")
	rel := identity.SecretPath("alpha", "alpha-v1")
	full := filepath.Join(f.repo, filepath.FromSlash(rel))
	outside := filepath.Join(t.TempDir(), "key.yaml")
	if err := os.Rename(full, outside); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, full); err != nil {
		t.Fatal(err)
	}
	err := keys.Verify(f.repo, keys.VerifyOptions{Party: "alpha", Identities: []age.Identity{f.alpha}})
	if err == nil || !strings.Contains(err.Error(), rel+": symbolic link") {
		t.Fatalf("verify through a link: %v", err)
	}
}
