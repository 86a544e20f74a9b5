package keys_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

type fixture struct {
	repo                string
	alpha, beta         *age.X25519Identity
	alphaFile, betaFile string
}

func newFixture(t *testing.T) *fixture {
	f := &fixture{}
	f.alpha, f.alphaFile = testenv.AgeKey(t)
	f.beta, f.betaFile = testenv.AgeKey(t)
	f.repo = testenv.Repo(t, testenv.BaseNetwork(t, f.alpha.Recipient().String(), f.beta.Recipient().String()))
	return f
}

func (f *fixture) init(t *testing.T, party string, rotate ...string) *keys.Result {
	t.Helper()
	result, err := keys.Init(f.repo, keys.InitOptions{Party: party, Rotate: rotate})
	if err != nil {
		t.Fatal(err)
	}
	return result
}

// sopsDecrypt decrypts a repository file with the real sops CLI and one age key file.
func sopsDecrypt(t *testing.T, keyFile, path string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command(testenv.Tool(t, "sops"), "decrypt", path)
	cmd.Env = []string{"SOPS_AGE_KEY_FILE=" + keyFile, "HOME=" + t.TempDir()}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.Bytes(), err
}

func TestInitSealsEachKeyToItsOwnerOnly(t *testing.T) {
	f := newFixture(t)
	f.init(t, "alpha")
	f.init(t, "beta")
	result, err := load.Network(filepath.Join(f.repo, "cue"))
	if err != nil {
		t.Fatalf("network invalid after keys init: %v", err)
	}
	network := result.Network
	keyFiles := map[string]string{"alpha": f.alphaFile, "beta": f.betaFile}
	for _, name := range network.NodeNames() {
		node := network.Nodes[name]
		public, ok := network.Identities[name]
		if !ok {
			t.Fatalf("node %s has no identity", name)
		}
		path := filepath.Join(f.repo, identity.SecretPath(node.Party, name))
		plain, err := sopsDecrypt(t, keyFiles[node.Party], path)
		if err != nil {
			t.Fatalf("%s: sops decrypt with the owner's key: %v", path, err)
		}
		key, err := identity.KeyFromSecret(plain)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.ToLower(crypto.PubkeyToAddress(key.PublicKey).Hex()); got != public.Address {
			t.Errorf("%s: key address %s, identity %s", name, got, public.Address)
		}
		other := map[string]string{"alpha": f.betaFile, "beta": f.alphaFile}[node.Party]
		if _, err := sopsDecrypt(t, other, path); err == nil {
			t.Errorf("%s: decrypted with another party's key", path)
		}
	}
}

func TestInitIsIdempotentAndRotateTouchesOneNode(t *testing.T) {
	f := newFixture(t)
	f.init(t, "alpha")
	before := snapshot(t, f.repo)
	if again := f.init(t, "alpha"); len(again.Written) != 0 {
		t.Fatalf("second init wrote %v", again.Written)
	}
	if after := snapshot(t, f.repo); !equalTrees(before, after) {
		t.Fatal("second init changed files")
	}
	rotated := f.init(t, "alpha", "alpha-rpc")
	want := []string{identity.IdentityPath("alpha-rpc"), identity.SecretPath("alpha", "alpha-rpc")}
	if strings.Join(rotated.Written, ",") != strings.Join(want, ",") {
		t.Errorf("rotate wrote %v, want %v", rotated.Written, want)
	}
}

func TestInitRejectsBadInput(t *testing.T) {
	f := newFixture(t)
	if _, err := keys.Init(f.repo, keys.InitOptions{Party: "gamma"}); err == nil || !strings.Contains(err.Error(), `unknown party "gamma"`) {
		t.Errorf("unknown party: %v", err)
	}
	if _, err := keys.Init(f.repo, keys.InitOptions{Party: "alpha", Rotate: []string{"beta-v1"}}); err == nil || !strings.Contains(err.Error(), `alpha has no node "beta-v1"`) {
		t.Errorf("rotate of another party's node: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(f.repo, "parties")); len(entries) != 0 {
		t.Errorf("failed init wrote files: %v", entries)
	}
}

func TestVerify(t *testing.T) {
	f := newFixture(t)
	f.init(t, "alpha")
	ids := []age.Identity{f.alpha}
	if err := keys.Verify(f.repo, keys.VerifyOptions{Party: "alpha", Identities: ids}); err != nil {
		t.Fatal(err)
	}
	// Swap two nodes' sealed keys: each decrypts fine but matches the other identity.
	a := filepath.Join(f.repo, identity.SecretPath("alpha", "alpha-v1"))
	b := filepath.Join(f.repo, identity.SecretPath("alpha", "alpha-v2"))
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	os.WriteFile(a, db, 0o644)
	os.WriteFile(b, da, 0o644)
	err := keys.Verify(f.repo, keys.VerifyOptions{Party: "alpha", Identities: ids})
	if err == nil || !strings.Contains(err.Error(), identity.SecretPath("alpha", "alpha-v1")+": private key does not match the public identity") {
		t.Errorf("swapped keys: %v", err)
	}
	// Tamper with a plain field covered by the MAC.
	os.WriteFile(a, da, 0o644)
	os.WriteFile(b, bytes.Replace(db, []byte("namespace: testnet-alpha"), []byte("namespace: testnet-beta"), 1), 0o644)
	err = keys.Verify(f.repo, keys.VerifyOptions{Party: "alpha", Identities: ids})
	if err == nil || !strings.Contains(err.Error(), identity.SecretPath("alpha", "alpha-v2")+": MAC mismatch") {
		t.Errorf("tampered file: %v", err)
	}
	if err := keys.Verify(f.repo, keys.VerifyOptions{Party: "alpha", Identities: []age.Identity{f.beta}}); err == nil {
		t.Error("verified with another party's key")
	}
}

func TestRewrapAfterRecipientChange(t *testing.T) {
	f := newFixture(t)
	f.init(t, "alpha")
	newKey, newFile := testenv.AgeKey(t)
	network := testenv.BaseNetwork(t, newKey.Recipient().String(), f.beta.Recipient().String())
	if err := os.WriteFile(filepath.Join(f.repo, "cue", "network.cue"), []byte(network), 0o644); err != nil {
		t.Fatal(err)
	}
	// Adding keys now would mix recipient lists: refused, naming the files.
	if _, err := keys.Init(f.repo, keys.InitOptions{Party: "alpha"}); err == nil || !strings.Contains(err.Error(), "keys rewrap --party alpha") {
		t.Errorf("init with stale recipients: %v", err)
	}
	before := snapshot(t, f.repo)
	_, err := keys.Rewrap(f.repo, keys.RewrapOptions{Party: "alpha", Identities: []age.Identity{newKey}})
	if err == nil || !strings.Contains(err.Error(), identity.SecretPath("alpha", "alpha-v1")) {
		t.Errorf("rewrap without a current key: %v", err)
	}
	if !equalTrees(before, snapshot(t, f.repo)) {
		t.Fatal("failed rewrap wrote files")
	}
	result, err := keys.Rewrap(f.repo, keys.RewrapOptions{Party: "alpha", Identities: []age.Identity{f.alpha}})
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Written) != 3 {
		t.Errorf("rewrap wrote %v, want the 3 alpha secrets", result.Written)
	}
	// The old recipient was removed: it could read these keys, and rewrapping does not
	// change them. The result says to rotate each, with the command.
	if len(result.Advice) != 1 || !strings.Contains(result.Advice[0], f.alpha.Recipient().String()) ||
		!strings.Contains(result.Advice[0], "keys init --party alpha --rotate alpha-rpc --rotate alpha-v1 --rotate alpha-v2") {
		t.Errorf("rewrap advice: %q", result.Advice)
	}
	if err := keys.Verify(f.repo, keys.VerifyOptions{Party: "alpha", Identities: []age.Identity{newKey}}); err != nil {
		t.Errorf("verify with the new key: %v", err)
	}
	if _, err := sopsDecrypt(t, f.alphaFile, filepath.Join(f.repo, identity.SecretPath("alpha", "alpha-v1"))); err == nil {
		t.Error("the old key still decrypts")
	}
	if _, err := sopsDecrypt(t, newFile, filepath.Join(f.repo, identity.SecretPath("alpha", "alpha-v1"))); err != nil {
		t.Errorf("the new key cannot decrypt with sops: %v", err)
	}
	if again, err := keys.Rewrap(f.repo, keys.RewrapOptions{Party: "alpha", Identities: []age.Identity{newKey}}); err != nil || len(again.Written) != 0 {
		t.Errorf("second rewrap: %v, wrote %v", err, again)
	}
}

// TestNoPlaintextKeyAnywhere commits the repository with go-git, then searches every
// file of the work tree and every blob of the history for each node's private key, in
// the encodings it could leak in (hex with and without 0x, base64 of the key file).
func TestNoPlaintextKeyAnywhere(t *testing.T) {
	f := newFixture(t)
	repo, err := git.PlainInit(f.repo, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, _ := repo.Worktree()
	commitAll := func(msg string) {
		if err := wt.AddGlob("."); err != nil {
			t.Fatal(err)
		}
		sig := &object.Signature{Name: "test", Email: "test@example.com", When: time.Unix(0, 0)}
		if _, err := wt.Commit(msg, &git.CommitOptions{Author: sig, AllowEmptyCommits: true}); err != nil {
			t.Fatal(err)
		}
	}
	commitAll("network")
	f.init(t, "alpha")
	f.init(t, "beta")
	commitAll("identities")
	f.init(t, "alpha", "alpha-v1")
	commitAll("rotate")

	var needles [][]byte
	result, err := load.Network(filepath.Join(f.repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range result.Network.NodeNames() {
		node := result.Network.Nodes[name]
		keyFile := map[string]string{"alpha": f.alphaFile, "beta": f.betaFile}[node.Party]
		plain, err := sopsDecrypt(t, keyFile, filepath.Join(f.repo, identity.SecretPath(node.Party, name)))
		if err != nil {
			t.Fatal(err)
		}
		key, err := identity.KeyFromSecret(plain)
		if err != nil {
			t.Fatal(err)
		}
		raw := hex.EncodeToString(crypto.FromECDSA(key))
		needles = append(needles, []byte(raw), []byte(strings.ToUpper(raw)),
			[]byte(base64.StdEncoding.EncodeToString([]byte("0x"+raw))))
	}
	check := func(where string, data []byte) {
		for _, n := range needles {
			if bytes.Contains(data, n) {
				t.Errorf("%s contains a private key in plain text", where)
			}
		}
	}
	filepath.WalkDir(f.repo, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(path)
			check(path, data)
		}
		return nil
	})
	blobs, err := repo.BlobObjects()
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	blobs.ForEach(func(b *object.Blob) error {
		r, err := b.Reader()
		if err != nil {
			return err
		}
		defer r.Close()
		data, _ := io.ReadAll(r)
		check("blob "+b.Hash.String(), data)
		count++
		return nil
	})
	if count == 0 || len(needles) == 0 {
		t.Fatalf("searched %d blobs for %d needles", count, len(needles))
	}
}

func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !strings.Contains(path, "/.git/") {
			data, _ := os.ReadFile(path)
			rel, _ := filepath.Rel(root, path)
			files[rel] = string(data)
		}
		return nil
	})
	return files
}

func equalTrees(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
