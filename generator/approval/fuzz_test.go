package approval

import (
	"bytes"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// FuzzApprovalFile reads approval files anyone can commit: Parse and Check must never
// panic, a parsed statement re-encodes to the bytes it was read from (what reviewers
// see is what was signed), and nothing verifies without a key.
func FuzzApprovalFile(f *testing.F) {
	s := Statement{Network: "testnet", Party: "alpha", BaseTree: strings.Repeat("1", 40), ResultTree: strings.Repeat("2", 40)}
	f.Add(append(s.Text(), "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQ==\n-----END SSH SIGNATURE-----\n"...))
	f.Add(append(s.Text(), "-----BEGIN PGP SIGNATURE-----\n\nwnUEABYKAB0=\n-----END PGP SIGNATURE-----\n"...))
	f.Add([]byte("flux-ledger-approval/v1\n"))
	base := &model.Network{Name: "testnet", Parties: map[string]model.Party{
		"alpha": {Name: "alpha", ApprovalKeys: []model.ApprovalKey{{Kind: "ssh", Key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOdgixcLdi4ggDaYecP30hulSshCEkpKDd7kKqqojavZ"}}},
	}}
	f.Fuzz(func(t *testing.T, data []byte) {
		if parsed, err := Parse(data); err == nil {
			if !bytes.HasPrefix(data, parsed.Statement.Text()) {
				t.Errorf("statement %+v is not the file's first bytes", parsed.Statement)
			}
		}
		if v := Check("approvals/alpha-x.approval", data, s, base); v.Valid() {
			t.Errorf("a fuzzed file verified: %+v", v)
		}
	})
}

// FuzzApprovalKey parses approval keys as vet does: never a panic, and a parsed key
// always has a fingerprint to name it by.
func FuzzApprovalKey(f *testing.F) {
	f.Add("ssh", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOdgixcLdi4ggDaYecP30hulSshCEkpKDd7kKqqojavZ alpha")
	f.Add("ssh", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAEBAQEBAQEB")
	f.Add("openpgp", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEaxTroxYJKwYBBAHaRw8BAQdA\n-----END PGP PUBLIC KEY BLOCK-----\n")
	f.Fuzz(func(t *testing.T, kind, key string) {
		if k, err := ParseKey(model.ApprovalKey{Kind: kind, Key: key}); err == nil && k.Fingerprint == "" {
			t.Errorf("key %q parsed without a fingerprint", key)
		}
	})
}
