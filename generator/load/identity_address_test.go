package load_test

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// Published vector (go-ethereum crypto/crypto_test.go, testPrivHex and testAddrHex):
// the key 289c…2032 has the address 0x970e8128ab834e8eac17ab8e3812f010678cf791.
const (
	vectorPriv    = "289c2857d4598e37fb9647507e47a309d6133539bf21a8b9cb6df88fd5232032"
	vectorAddress = "0x970e8128ab834e8eac17ab8e3812f010678cf791"
)

func vectorPublicKey(t *testing.T) string {
	key, err := crypto.HexToECDSA(vectorPriv)
	if err != nil {
		t.Fatal(err)
	}
	return "0x" + hex.EncodeToString(crypto.FromECDSAPub(&key.PublicKey)[1:])
}

func TestAddressOfMatchesThePublishedVector(t *testing.T) {
	got, err := load.AddressOf(vectorPublicKey(t))
	if err != nil || got != vectorAddress {
		t.Fatalf("AddressOf = %s, %v; want %s", got, err, vectorAddress)
	}
}

// vet rejects an identity whose address is not derived from its public key, and one
// whose public key is not on the curve, at the identity file's line. cue vet cannot
// check this (CUE has no keccak); docs/security.md lists it among the rules only
// flux-ledger enforces.
func TestVetChecksIdentityAddresses(t *testing.T) {
	pub := vectorPublicKey(t)
	offCurve := "0x" + strings.Repeat("ab", 64)
	cases := map[string]struct{ address, publicKey, want string }{
		"matching":         {vectorAddress, pub, ""},
		"another address":  {"0x" + strings.Repeat("11", 20), pub, `network.identities."alpha-v1".address: 0x1111111111111111111111111111111111111111 is not the address of publicKey (keccak256(publicKey)[12:] = ` + vectorAddress + ")"},
		"key not on curve": {vectorAddress, offCurve, `network.identities."alpha-v1".publicKey: not a point of secp256k1`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := testenv.Module(t, map[string]string{
				"network.cue":             readBase(t),
				"identities/alpha-v1.cue": fmt.Sprintf("package identities\n\n\"alpha-v1\": {\n\taddress:   %q\n\tpublicKey: %q\n}\n", c.address, c.publicKey),
			})
			_, err := load.Network(dir)
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want %q", err, c.want)
			}
			if !strings.Contains(err.Error(), "identities/alpha-v1.cue:") {
				t.Errorf("error does not point at the identity file: %v", err)
			}
		})
	}
}
