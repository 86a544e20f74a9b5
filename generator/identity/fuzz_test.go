package identity_test

import (
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/load"
)

// FuzzParseNodeKey reads node key files as Besu does (first line, 0x optional, 64 hex):
// it must never panic, and a key it accepts has a public identity whose address is
// keccak256(pub)[12:] — the same check vet applies to cue/identities.
func FuzzParseNodeKey(f *testing.F) {
	f.Add([]byte("0x289c2857d4598e37fb9647507e47a309d6133539bf21a8b9cb6df88fd5232032"))
	f.Fuzz(func(t *testing.T, data []byte) {
		key, err := identity.ParseNodeKey(data)
		if err != nil {
			return
		}
		id := identity.Public(key)
		if addr, err := load.AddressOf(id.PublicKey); err != nil || addr != id.Address {
			t.Errorf("accepted key has identity %+v, derived address %s, %v", id, addr, err)
		}
	})
}

// FuzzKeyFromSecret reads a decrypted node-key Secret: arbitrary YAML must not panic.
func FuzzKeyFromSecret(f *testing.F) {
	f.Add([]byte("kind: Secret\ndata:\n  key: MHgwMQ==\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		identity.KeyFromSecret(data)
	})
}
