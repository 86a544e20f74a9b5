package secrets_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/secrets"
)

// FuzzRecipients feeds arbitrary bytes to the SOPS metadata reader, which reads every
// sealed file a party (or an attacker) commits: it must never panic, and what it
// returns is sorted age recipients. Seeds: testdata/fuzz/FuzzRecipients and a real
// sealed file of the reference network.
func FuzzRecipients(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("..", "..", "parties", "contoso", "secrets", "contoso-rpc-1-nodekey.yaml")); err == nil {
		f.Add(data)
	}
	f.Add([]byte("sops:\n  age: []\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recipients, err := secrets.Recipients(data)
		if err != nil {
			return
		}
		if !slices.IsSorted(recipients) {
			t.Errorf("recipients not sorted: %v", recipients)
		}
	})
}
