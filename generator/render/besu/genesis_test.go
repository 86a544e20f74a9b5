package besu

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// The QBFT extraData example published in the Besu documentation, with its validators in
// the (unsorted) order the documentation lists them.
const besuDocsQBFTExtraData = "0xf87aa0" + "0000000000000000000000000000000000000000000000000000000000000000" +
	"f854" +
	"9464a702e6263b7297a96638cac6ae65e6541f4169" +
	"943923390ad55e90c237593b3b0e401f3b08a03185" +
	"94aefdb9a738c9f433e5b6b212a6d62f6370c2f692" +
	"94c7eeb9a4e00ce683cf93039b212648e01c6c6b78" +
	"c080c0"

var docsValidators = []string{
	"0x64a702e6263b7297a96638cac6ae65e6541f4169",
	"0x3923390ad55e90c237593b3b0e401f3b08a03185",
	"0xaefdb9a738c9f433e5b6b212a6d62f6370c2f692",
	"0xc7eeb9a4e00ce683cf93039b212648e01c6c6b78",
}

func addresses(hexes []string) []common.Address {
	var out []common.Address
	for _, h := range hexes {
		out = append(out, common.HexToAddress(h))
	}
	return out
}

func TestQBFTExtraDataMatchesBesuDocs(t *testing.T) {
	got, err := ExtraData(model.QBFT, addresses(docsValidators))
	if err != nil {
		t.Fatal(err)
	}
	if "0x"+hex.EncodeToString(got) != besuDocsQBFTExtraData {
		t.Errorf("extraData =\n0x%x\nwant\n%s", got, besuDocsQBFTExtraData)
	}
}

// IBFT 2.0 differs from QBFT in the last three fields: vote is the empty byte string
// (0x80) and round a 4-byte zero (0x8400000000), per the Besu IBFT 2.0 genesis format.
// The expected bytes are assembled by hand from the RLP rules, not by the encoder.
func TestIBFT2ExtraData(t *testing.T) {
	got, err := ExtraData(model.IBFT2, addresses(docsValidators))
	if err != nil {
		t.Fatal(err)
	}
	validators := strings.TrimPrefix(besuDocsQBFTExtraData, "0xf87aa0"+strings.Repeat("0", 64))
	validators = strings.TrimSuffix(validators, "c080c0")
	// payload: a0+32 bytes (33) + f854+84 bytes (86) + 80 (1) + 8400000000 (5) + c0 (1) = 126 = 0x7e
	want := "0xf87ea0" + strings.Repeat("0", 64) + validators + "80" + "8400000000" + "c0"
	if "0x"+hex.EncodeToString(got) != want {
		t.Errorf("extraData =\n0x%x\nwant\n%s", got, want)
	}
}

func TestValidatorsAscending(t *testing.T) {
	network := &model.Network{Nodes: map[string]model.Node{}, Identities: map[string]model.Identity{}}
	for i, addr := range docsValidators {
		name := string(rune('a' + i))
		network.Nodes[name] = model.Node{Name: name, Role: model.RoleValidator}
		network.Identities[name] = model.Identity{Address: addr}
	}
	network.Nodes["member"] = model.Node{Name: "member", Role: model.RoleMember}
	network.Identities["member"] = model.Identity{Address: "0x0000000000000000000000000000000000000001"}
	got := Validators(network)
	want := []string{docsValidators[1], docsValidators[0], docsValidators[2], docsValidators[3]}
	if len(got) != len(want) {
		t.Fatalf("got %d validators, want %d (members excluded)", len(got), len(want))
	}
	for i := range want {
		if strings.ToLower(got[i].Hex()) != want[i] {
			t.Errorf("validator %d = %s, want %s", i, got[i].Hex(), want[i])
		}
	}
}
