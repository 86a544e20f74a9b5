package secrets_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/secrets"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

const plain = `apiVersion: v1
kind: Secret
metadata:
  name: v1-nodekey
  namespace: n-p
type: Opaque
data:
  key: MHhhYmNk
`

// sopsDecrypt runs the real sops CLI with only the given age key file.
func sopsDecrypt(t *testing.T, keyFile string, sealed []byte) ([]byte, error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "secret.yaml")
	if err := os.WriteFile(file, sealed, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(testenv.Tool(t, "sops"), "decrypt", file)
	cmd.Env = []string{"SOPS_AGE_KEY_FILE=" + keyFile, "HOME=" + t.TempDir()}
	return cmd.CombinedOutput()
}

func TestSealDecryptsWithRealSopsForOwnerOnly(t *testing.T) {
	owner, ownerFile := testenv.AgeKey(t)
	_, otherFile := testenv.AgeKey(t)
	sealed, err := secrets.Seal([]byte(plain), []string{owner.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), "MHhhYmNk") {
		t.Fatal("sealed file contains the plaintext value")
	}
	for _, field := range []string{"apiVersion: v1", "kind: Secret", "name: v1-nodekey", "encrypted_regex: ^(data|stringData)$"} {
		if !strings.Contains(string(sealed), field) {
			t.Errorf("sealed file lacks plain %q", field)
		}
	}
	out, err := sopsDecrypt(t, ownerFile, sealed)
	if err != nil {
		t.Fatalf("sops decrypt with the owner's key: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "key: MHhhYmNk") {
		t.Errorf("sops decrypted to:\n%s", out)
	}
	if out, err := sopsDecrypt(t, otherFile, sealed); err == nil {
		t.Fatalf("sops decrypted with another party's key:\n%s", out)
	}
}

func TestOpen(t *testing.T) {
	owner, _ := testenv.AgeKey(t)
	other, _ := testenv.AgeKey(t)
	sealed, err := secrets.Seal([]byte(plain), []string{owner.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := secrets.Open(sealed, []age.Identity{owner})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "key: MHhhYmNk") {
		t.Errorf("opened to:\n%s", got)
	}
	if _, err := secrets.Open(sealed, []age.Identity{other}); err == nil {
		t.Error("opened with a key that is not a recipient")
	}
	tampered := strings.Replace(string(sealed), "namespace: n-p", "namespace: n-q", 1)
	if _, err := secrets.Open([]byte(tampered), []age.Identity{owner}); err == nil || !strings.Contains(err.Error(), "MAC mismatch") {
		t.Errorf("tampered file: err = %v, want MAC mismatch", err)
	}
}

func TestRewrap(t *testing.T) {
	oldKey, _ := testenv.AgeKey(t)
	newKey, newFile := testenv.AgeKey(t)
	sealed, err := secrets.Seal([]byte(plain), []string{oldKey.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := secrets.Rewrap(sealed, []age.Identity{newKey}, []string{newKey.Recipient().String()}); err == nil {
		t.Fatal("rewrapped without a current recipient's key")
	}
	rewrapped, err := secrets.Rewrap(sealed, []age.Identity{oldKey}, []string{newKey.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := secrets.Recipients(rewrapped)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != newKey.Recipient().String() {
		t.Errorf("recipients = %v", got)
	}
	if out, err := sopsDecrypt(t, newFile, rewrapped); err != nil || !strings.Contains(string(out), "key: MHhhYmNk") {
		t.Errorf("sops decrypt with the new key: %v\n%s", err, out)
	}
	if _, err := secrets.Open(rewrapped, []age.Identity{oldKey}); err == nil {
		t.Error("the removed recipient can still open the rewrapped file")
	}
}

// TestConfigMatchesGenerator encrypts a file with the real sops CLI under each party's
// directory, using only the generated .sops.yaml, and checks it got exactly the
// recipients the generator uses for that party.
func TestConfigMatchesGenerator(t *testing.T) {
	alpha, _ := testenv.AgeKey(t)
	beta, _ := testenv.AgeKey(t)
	repo := testenv.Repo(t, testenv.BaseNetwork(t, alpha.Recipient().String(), beta.Recipient().String()))
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	config, err := secrets.Config(result.Network)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, secrets.ConfigPath), config, 0o644); err != nil {
		t.Fatal(err)
	}
	for party, want := range map[string]string{"alpha": alpha.Recipient().String(), "beta": beta.Recipient().String()} {
		rel := filepath.Join("parties", party, "secrets", "manual.yaml")
		if err := os.MkdirAll(filepath.Join(repo, filepath.Dir(rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, rel), []byte(plain), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(testenv.Tool(t, "sops"), "encrypt", "--in-place", rel)
		cmd.Dir = repo
		cmd.Env = []string{"HOME=" + t.TempDir()}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("sops encrypt %s: %v\n%s", rel, err, out)
		}
		sealed, err := os.ReadFile(filepath.Join(repo, rel))
		if err != nil {
			t.Fatal(err)
		}
		got, err := secrets.Recipients(sealed)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%s: sops chose recipients %v, want [%s]", rel, got, want)
		}
		if strings.Contains(string(sealed), "MHhhYmNk") {
			t.Errorf("%s: data not encrypted", rel)
		}
	}
}
