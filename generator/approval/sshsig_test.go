package approval

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// The blob ssh-keygen -Y sign writes is PROTOCOL.sshsig §2 ("$OpenBSD:
// PROTOCOL.sshsig,v 1.4 2020/08/31"): MAGIC_PREAMBLE, version 1, the public key, the
// namespace (-n), reserved, the hash algorithm — "sha512" unless -O hashalg= says
// otherwise (ssh-keygen(1), OpenSSH 9.2) — and the signature. The armored example of
// §1 predates the hash_algorithm field (after "foo" and the empty reserved string
// comes the signature): it does not parse as §2 says, and is refused.
func TestSSHSigBlobIsWhatSSHKeygenWrites(t *testing.T) {
	key, pub := sshKeygen(t, "-t", "ed25519")
	msg := filepath.Join(t.TempDir(), "statement")
	os.WriteFile(msg, []byte("hello\n"), 0o600)
	if out, err := exec.Command("ssh-keygen", "-Y", "sign", "-n", Namespace, "-f", key, msg).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	armored, err := os.ReadFile(msg + ".sig")
	if err != nil {
		t.Fatal(err)
	}
	blob, err := parseSSHSig(armored)
	if err != nil {
		t.Fatal(err)
	}
	want, _, _, _, _ := ssh.ParseAuthorizedKey([]byte(pub))
	var sig ssh.Signature
	if err := ssh.Unmarshal(blob.Signature, &sig); err != nil {
		t.Fatal(err)
	}
	if blob.Version != 1 || string(blob.PublicKey) != string(want.Marshal()) || blob.Namespace != Namespace || blob.Reserved != "" || blob.HashAlgorithm != "sha512" || sig.Format != ssh.KeyAlgoED25519 {
		t.Errorf("version %d, namespace %q, reserved %q, hash %q, signature %s", blob.Version, blob.Namespace, blob.Reserved, blob.HashAlgorithm, sig.Format)
	}
	if err := verifySSH([]byte("hello\n"), armored, want); err != nil {
		t.Errorf("ssh-keygen's signature does not verify: %v", err)
	}
	if err := verifySSH([]byte("hello!\n"), armored, want); err == nil {
		t.Error("a signature verified another message")
	}

	const example = "-----BEGIN SSH SIGNATURE-----\n" +
		"U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgJKxoLBJBivUPNTUJUSslQTt2hD\n" +
		"jozKvHarKeN8uYFqgAAAADZm9vAAAAAAAAAFMAAAALc3NoLWVkMjU1MTkAAABAKNC4IEbt\n" +
		"Tq0Fb56xhtuE1/lK9H9RZJfON4o6hE9R4ZGFX98gy0+fFJ/1d2/RxnZky0Y7GojwrZkrHT\n" +
		"FgCqVWAQ==\n" +
		"-----END SSH SIGNATURE-----\n"
	if _, err := parseSSHSig([]byte(example)); err == nil {
		t.Error("the §1 example, which has no hash_algorithm, parsed")
	}
	v2 := strings.Replace(string(armored), "U1NIU0lHAAAAAQ", "U1NIU0lHAAAAAg", 1)
	if _, err := parseSSHSig([]byte(v2)); err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("version 2 accepted: %v", err)
	}
}

// Every SSH key type an approval key may be signs with ssh-keygen and verifies. An
// RSA signature verifies only in rsa-sha2-256 or rsa-sha2-512, as PROTOCOL.sshsig §2
// requires ("not the legacy RSA-SHA1 "ssh-rsa""): ssh-keygen makes one of those.
func TestSSHApprovalsOfEveryKeyTypeVerify(t *testing.T) {
	for _, kind := range [][]string{{"-t", "ed25519"}, {"-t", "ecdsa", "-b", "256"}, {"-t", "rsa", "-b", "2048"}} {
		t.Run(kind[1], func(t *testing.T) {
			key, pub := sshKeygen(t, kind...)
			net := oneParty(model.ApprovalKey{Kind: "ssh", Key: pub})
			s := Statement{Network: "testnet", Party: "alpha", BaseTree: strings.Repeat("1", 40), ResultTree: strings.Repeat("2", 40)}
			data, err := Sign(context.Background(), s, Signer{Format: "ssh", Key: key})
			if err != nil {
				t.Fatal(err)
			}
			if v := Check(s.FileName(), data, s, net); !v.Valid() || !strings.HasPrefix(v.Key, "SHA256:") {
				t.Fatalf("verdict %+v\n%s", v, data)
			}
			other := s
			other.ResultTree = strings.Repeat("3", 40)
			if v := Check(s.FileName(), data, other, net); !strings.HasPrefix(v.Problem, "stale: ") {
				t.Errorf("approval of another result: %+v", v)
			}
		})
	}
}

// A signature by the party's key in Git's namespace ("git", as `git commit -S` with
// gpg.format=ssh makes it: Git's gpg-interface.c runs ssh-keygen -Y sign -n git) is
// not an approval: PROTOCOL.sshsig's namespace exists to keep such signatures apart.
func TestSSHSignatureInAnotherNamespaceIsNotAnApproval(t *testing.T) {
	key, pub := sshKeygen(t, "-t", "ed25519")
	s := Statement{Network: "testnet", Party: "alpha", BaseTree: strings.Repeat("1", 40), ResultTree: strings.Repeat("2", 40)}
	msg := filepath.Join(t.TempDir(), "statement")
	os.WriteFile(msg, s.Text(), 0o600)
	if out, err := exec.Command("ssh-keygen", "-Y", "sign", "-n", "git", "-f", key, msg).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	sig, err := os.ReadFile(msg + ".sig")
	if err != nil {
		t.Fatal(err)
	}
	v := Check(s.FileName(), append(s.Text(), sig...), s, oneParty(model.ApprovalKey{Kind: "ssh", Key: pub}))
	if v.Valid() || !strings.Contains(v.Problem, `namespace "git"`) {
		t.Errorf("verdict %+v", v)
	}
}

func sshKeygen(t *testing.T, args ...string) (private, public string) {
	t.Helper()
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Fatal("ssh-keygen is needed to sign as a party would")
	}
	private = filepath.Join(t.TempDir(), "key")
	if out, err := exec.Command("ssh-keygen", append([]string{"-q", "-N", "", "-C", "alpha", "-f", private}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	pub, err := os.ReadFile(private + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return private, strings.TrimSpace(string(pub))
}

func oneParty(keys ...model.ApprovalKey) *model.Network {
	return &model.Network{Name: "testnet", Parties: map[string]model.Party{"alpha": {Name: "alpha", ApprovalKeys: keys}}}
}
