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

	fluxledger "github.com/flux-ledger/flux-ledger"
	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// The reference network's recipients, replaced by each test's own age keys.
var fabricRecipients = map[string]string{
	"contoso":   "age1a0wy2f3efug284a4r78kudc0jy03cmls0wfk52a5773d08v6446qx6u4av",
	"fabrikam":  "age10k2a9fa93fhfu7qj8htca6gwypm35juh5jg2zakgcjpcs8m4afaqm8w3eg",
	"northwind": "age1cn65f5s3ggkuay2jjyxxztxgx3qu9lrz5xxp2f673t7ftk0z23lq05tshu",
}

type fabricFixture struct {
	repo string
	ids  map[string]*age.X25519Identity
}

// newFabricFixture lays out a repository whose cue/ module is the embedded schema and
// the Fabric reference network (examples/fabric/network.cue), each party's recipient
// a fresh age key.
func newFabricFixture(t *testing.T) *fabricFixture {
	t.Helper()
	f := &fabricFixture{repo: t.TempDir(), ids: map[string]*age.X25519Identity{}}
	put := func(rel string, data []byte) {
		p := filepath.Join(f.repo, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files := []string{"cue/cue.mod/module.cue", "cue/identities/doc.cue", "cue/msp/doc.cue"}
	entries, err := fluxledger.CUEModule.ReadDir("cue/schema")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		files = append(files, "cue/schema/"+e.Name())
	}
	for _, p := range files {
		data, err := fluxledger.CUEModule.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		put(p, data)
	}
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "fabric", "network.cue"))
	if err != nil {
		t.Fatal(err)
	}
	network := string(example)
	for party, old := range fabricRecipients {
		id, _ := testenv.AgeKey(t)
		f.ids[party] = id
		network = strings.Replace(network, old, id.Recipient().String(), 1)
	}
	put("cue/network.cue", []byte(network))
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
