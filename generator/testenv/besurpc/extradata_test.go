package besurpc

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// Besu 24.12.2 consensus/qbft/src/test/.../QbftExtraDataCodecTest.java
// RAW_HEX_ENCODING_STRING: vanity 0x01..20, validators [0x…01, 0x…02], an add vote for
// 0x…01, round 0xFEDCBA and two commit seals. The fake's encoder writes the same bytes.
func TestQBFTExtraDataMatchesBesusVector(t *testing.T) {
	const raw = "0xf8f0a00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20ea940000000000000000" +
		"000000000000000000000001940000000000000000000000000000000000000002d7940000000000000000" +
		"00000000000000000000000181ff83fedcbaf886b841000000000000000000000000000000000000000000" +
		"0000000000000000000001000000000000000000000000000000000000000000000000000000000000000a" +
		"00b841000000000000000000000000000000000000000000000000000000000000000a0000000000000000" +
		"00000000000000000000000000000000000000000000000100"
	var vanity [32]byte
	for i := range vanity {
		vanity[i] = byte(i + 1)
	}
	one, two := common.HexToAddress("0x1"), common.HexToAddress("0x2")
	// The seals are (r, s, recId): (1, 10, 0) and (10, 1, 0), 65 bytes each.
	seal := func(r, s byte) []byte { b := make([]byte, 65); b[31], b[63] = r, s; return b }
	got := encodeExtra(QBFT, vanity, []common.Address{one, two}, &Vote{Recipient: one, Add: true}, 0xFEDCBA, [][]byte{seal(1, 10), seal(10, 1)})
	if hex.EncodeToString(got) != strings.TrimPrefix(raw, "0x") {
		t.Errorf("got  0x%x\nwant %s", got, raw)
	}
}

// The genesis vector of Besu's QBFT documentation (see DESIGN.md): no vote (c0),
// round 0 (80), no seals (c0).
func TestQBFTGenesisExtraDataMatchesDocs(t *testing.T) {
	want := "0xf87aa0" + strings.Repeat("0", 64) + "f854" +
		"9464a702e6263b7297a96638cac6ae65e6541f4169" + "943923390ad55e90c237593b3b0e401f3b08a03185" +
		"94aefdb9a738c9f433e5b6b212a6d62f6370c2f692" + "94c7eeb9a4e00ce683cf93039b212648e01c6c6b78" + "c080c0"
	validators := []common.Address{
		common.HexToAddress("0x64a702e6263b7297a96638cac6ae65e6541f4169"), common.HexToAddress("0x3923390ad55e90c237593b3b0e401f3b08a03185"),
		common.HexToAddress("0xaefdb9a738c9f433e5b6b212a6d62f6370c2f692"), common.HexToAddress("0xc7eeb9a4e00ce683cf93039b212648e01c6c6b78"),
	}
	if got := encodeExtraData(QBFT, validators, nil, nil); "0x"+hex.EncodeToString(got) != want {
		t.Errorf("got 0x%x\nwant %s", got, want)
	}
}

// The vote and round forms of each codec (Besu 24.12.2 QbftExtraDataCodec.encodeVote
// and IbftExtraDataCodec.encodeVote; the round via writeIntScalar and writeInt).
func TestVoteEncodingPerAlgorithm(t *testing.T) {
	x := common.HexToAddress("0x64a702e6263b7297a96638cac6ae65e6541f4169")
	tail := func(b []byte) string { return hex.EncodeToString(b[34:]) } // after the vanity and the empty validator list
	cases := []struct {
		algorithm string
		vote      *Vote
		want      string // vote (a 23-byte list to add, 22 to remove), round, seals
	}{
		{QBFT, nil, "c0" + "80" + "c0"},
		{QBFT, &Vote{x, true}, "d7" + "94" + x.Hex()[2:] + "81ff" + "80" + "c0"},
		{QBFT, &Vote{x, false}, "d6" + "94" + x.Hex()[2:] + "80" + "80" + "c0"},
		{IBFT2, nil, "80" + "8400000000" + "c0"},
		{IBFT2, &Vote{x, true}, "d7" + "94" + x.Hex()[2:] + "81ff" + "8400000000" + "c0"},
		{IBFT2, &Vote{x, false}, "d6" + "94" + x.Hex()[2:] + "00" + "8400000000" + "c0"},
	}
	for _, c := range cases {
		got := encodeExtraData(c.algorithm, nil, c.vote, nil)
		// After the list header: a0 + 32 bytes vanity, c0 (no validators).
		body := got[headerLen(got):]
		if hex.EncodeToString(body[:34]) != "a0"+strings.Repeat("00", 32)+"c0" {
			t.Fatalf("%s: unexpected prefix %x", c.algorithm, body)
		}
		if got := tail(body); got != strings.ToLower(c.want) {
			t.Errorf("%s %+v: got %s, want %s", c.algorithm, c.vote, got, strings.ToLower(c.want))
		}
	}
}

// headerLen is the length of an RLP list header.
func headerLen(b []byte) int {
	if b[0] <= 0xf7 {
		return 1
	}
	return 1 + int(b[0]-0xf7)
}
