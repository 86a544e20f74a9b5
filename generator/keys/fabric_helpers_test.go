package keys_test

import (
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

type fabricFixture struct {
	repo string
	ids  map[string]*age.X25519Identity
}

// newFabricFixture is a repository of the Fabric reference network
// (examples/fabric/network.cue), each party's recipient a fresh age key.
func newFabricFixture(t *testing.T) *fabricFixture {
	t.Helper()
	repo, partyKeys := testenv.FabricRepo(t)
	f := &fabricFixture{repo: repo, ids: map[string]*age.X25519Identity{}}
	for party, k := range partyKeys {
		f.ids[party] = k.Identity
	}
	return f
}

func (f *fabricFixture) init(t *testing.T, opts keys.InitOptions) *keys.Result {
	t.Helper()
	result, err := keys.Init(f.repo, opts)
	if err != nil {
		t.Fatal(err)
	}
	return result
}

// identities is the party's age identity, as --identity passes it.
func (f *fabricFixture) identities(party string) []age.Identity {
	return []age.Identity{f.ids[party]}
}

func (f *fabricFixture) load(t *testing.T) *model.Network {
	t.Helper()
	result, err := load.Network(filepath.Join(f.repo, "cue"))
	if err != nil {
		t.Fatalf("network does not load: %v", err)
	}
	return result.Network
}

// files lists every file of the repository outside cue/'s schema and module files.
func (f *fabricFixture) files(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(f.repo, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(f.repo, p)
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(rel, "cue/schema/") || strings.HasPrefix(rel, "cue/cue.mod/") || strings.HasSuffix(rel, "/doc.cue") || rel == "cue/network.cue" || rel == ".flux-ledger.lock" {
			return nil
		}
		data, err := os.ReadFile(p)
		out[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func cert(t *testing.T, pemText string) *x509.Certificate {
	t.Helper()
	c, err := msp.ParseCertPEM([]byte(pemText))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// opensslVerify runs `openssl verify -CAfile ca leaf` with extra arguments.
func opensslVerify(t *testing.T, caPEM, leafPEM string, extra ...string) (string, bool) {
	t.Helper()
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("FLUX_LEDGER_REQUIRE_TOOLS") == "1" {
			t.Fatal("openssl not found and FLUX_LEDGER_REQUIRE_TOOLS=1")
		}
		t.Skip("openssl not found: install OpenSSL 3 to check certificates with it")
	}
	dir := t.TempDir()
	ca, leaf := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "leaf.pem")
	if err := os.WriteFile(ca, []byte(caPEM), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(leaf, []byte(leafPEM), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{"verify", "-CAfile", ca}, extra...), leaf)
	out, err := exec.Command(openssl, args...).CombinedOutput()
	return string(out), err == nil
}
