package status

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// decodeExtraData reads the validators and the vote of both codecs' headers.
func TestExtraDataVotesDecode(t *testing.T) {
	one, two := common.HexToAddress("0x1"), common.HexToAddress("0x2")
	addr := "94" + strings.Repeat("00", 19) + "01"
	cases := []struct {
		name, hex  string
		validators []common.Address
		vote       *blockVote
	}{
		// Besu 24.12.2 consensus/qbft/src/test/.../QbftExtraDataCodecTest.java
		// RAW_HEX_ENCODING_STRING: validators [0x…01, 0x…02], add 0x…01, two seals.
		{"qbft vector", "f8f0a00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20ea940000000000000000" +
			"000000000000000000000001940000000000000000000000000000000000000002d7940000000000000000" +
			"00000000000000000000000181ff83fedcbaf886b841000000000000000000000000000000000000000000" +
			"0000000000000000000001000000000000000000000000000000000000000000000000000000000000000a" +
			"00b841000000000000000000000000000000000000000000000000000000000000000a0000000000000000" +
			"00000000000000000000000000000000000000000000000100", []common.Address{one, two}, &blockVote{one, true}},
		// QbftExtraDataCodec.encodeVote: a remove is [recipient, ""] (writeNull).
		{"qbft remove", list("a0" + strings.Repeat("00", 32) + "d5" + addr + "d6" + addr + "80" + "80" + "c0"), []common.Address{one}, &blockVote{one, false}},
		// No vote: an empty list.
		{"qbft none", list("a0" + strings.Repeat("00", 32) + "c0" + "c0" + "80" + "c0"), nil, nil},
		// Besu 24.12.2 consensus/ibft/src/test/.../IbftExtraDataRLPEncoderTest.java
		// correctlyCodedRoundConstitutesValidContent: add 0x…01, round as 4 bytes.
		{"ibft add", list("a0" + strings.Repeat("00", 32) + "c0" + "d7" + addr + "81ff" + "8400fedcba" + "c0"), nil, &blockVote{one, true}},
		// IbftExtraDataCodec.encodeVote: a remove is [recipient, 00] (writeByte).
		{"ibft remove", list("a0" + strings.Repeat("00", 32) + "c0" + "d6" + addr + "00" + "8400000000" + "c0"), nil, &blockVote{one, false}},
		// No vote: an empty string (writeNull).
		{"ibft none", list("a0" + strings.Repeat("00", 32) + "c0" + "80" + "8400000000" + "c0"), nil, nil},
	}
	for _, c := range cases {
		data, err := hex.DecodeString(c.hex)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		validators, vote, err := decodeExtraData(data)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if len(validators) != len(c.validators) || (c.vote == nil) != (vote == nil) || (vote != nil && *vote != *c.vote) {
			t.Errorf("%s: validators %v vote %+v, want %v %+v", c.name, validators, vote, c.validators, c.vote)
		}
	}
	// A vote byte that is neither add nor remove is an error (Besu: "Vote field was of
	// an incorrect binary value").
	bad, _ := hex.DecodeString(list("a0" + strings.Repeat("00", 32) + "c0" + "d7" + addr + "81aa" + "8400000000" + "c0"))
	if _, _, err := decodeExtraData(bad); err == nil {
		t.Error("vote byte aa accepted")
	}
}

// list prefixes hex-encoded RLP items with their list header (all here are under 256
// bytes).
func list(body string) string {
	n := len(body) / 2
	if n < 56 {
		return fmt.Sprintf("%02x", 0xc0+n) + body
	}
	return fmt.Sprintf("f8%02x", n) + body
}
