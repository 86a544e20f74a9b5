package identity_test

import (
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// The private key 1 has the secp256k1 generator point G as its public key, and its
// Ethereum address is a widely published constant: both are checked against those
// published values, not against this package's own output.
func TestPublicMatchesPublishedVector(t *testing.T) {
	key, err := crypto.HexToECDSA(strings.Repeat("0", 63) + "1")
	if err != nil {
		t.Fatal(err)
	}
	got := identity.Public(key)
	const (
		gx      = "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
		gy      = "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"
		address = "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf"
	)
	if got.PublicKey != "0x"+gx+gy {
		t.Errorf("public key = %s, want G = 0x%s%s", got.PublicKey, gx, gy)
	}
	if got.Address != address {
		t.Errorf("address = %s, want %s", got.Address, address)
	}
}

func TestSecretRoundTrip(t *testing.T) {
	key, err := identity.Generate()
	if err != nil {
		t.Fatal(err)
	}
	network := &model.Network{Name: "n", Parties: map[string]model.Party{"p": {Name: "p", Namespace: "n-p"}}}
	plain, err := identity.Secret(network, model.Node{Name: "v1", Party: "p"}, key)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind: Secret", "name: v1-nodekey", "namespace: n-p"} {
		if !strings.Contains(string(plain), want) {
			t.Errorf("secret lacks %q:\n%s", want, plain)
		}
	}
	back, err := identity.KeyFromSecret(plain)
	if err != nil {
		t.Fatal(err)
	}
	if identity.Public(back) != identity.Public(key) {
		t.Error("key read back from the Secret differs")
	}
}
