package load

import (
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/token"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// checkIdentities checks what CUE cannot: that every identity's public key is a point
// of secp256k1 and that its address is keccak256(publicKey)[12:] (CUE has no keccak).
// A wrong address would otherwise go into the genesis validator set unnoticed, and a
// party could pair another party's node key with an address of its choosing.
func checkIdentities(network *model.Network, value cue.Value) error {
	names := make([]string, 0, len(network.Identities))
	for name := range network.Identities {
		names = append(names, name)
	}
	sort.Strings(names)
	cwd, _ := os.Getwd()
	var out []Issue
	for _, name := range names {
		id := network.Identities[name]
		field, msg := "", ""
		want, err := AddressOf(id.PublicKey)
		switch {
		case err != nil:
			field, msg = "publicKey", err.Error()
		case want != strings.ToLower(id.Address):
			field, msg = "address", fmt.Sprintf("%s is not the address of publicKey (keccak256(publicKey)[12:] = %s)", id.Address, want)
		default:
			continue
		}
		v := value.LookupPath(cue.MakePath(cue.Str("identities"), cue.Str(name), cue.Str(field)))
		out = append(out, Issue{
			Pos:     position([]token.Pos{v.Pos()}, cwd),
			Path:    fmt.Sprintf("%s.identities.%q.%s", NetworkField, name, field),
			Message: msg,
		})
	}
	if len(out) > 0 {
		return &Error{Issues: out}
	}
	return nil
}

// AddressOf derives the Ethereum address of an uncompressed secp256k1 public key
// given as 0x-prefixed hex of X‖Y (128 hex digits, the enode id).
func AddressOf(publicKey string) (string, error) {
	raw, err := hex.DecodeString(strings.TrimPrefix(publicKey, "0x"))
	if err != nil || len(raw) != 64 {
		return "", fmt.Errorf("not 64 bytes of hex")
	}
	pub, err := crypto.UnmarshalPubkey(append([]byte{0x04}, raw...))
	if err != nil {
		return "", fmt.Errorf("not a point of secp256k1: %w", err)
	}
	return strings.ToLower(crypto.PubkeyToAddress(*pub).Hex()), nil
}
