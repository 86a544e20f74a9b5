package besurpc

import (
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/rlp"
)

func metric(address, count, last string) string {
	return `{"address":"` + address + `","proposedBlockCount":"` + count + `","lastProposedBlockNumber":"` + last + `"}`
}

// <qbft|ibft>_getSignerMetrics answers as Besu 24.12.2 AbstractGetSignerMetricsMethod.java
// does, with SignerMetricResult.java's fields and order: from inclusive, to exclusive
// (the head is never counted), from defaulting to head − 100, to to the head; every
// validator after the range's last block is listed, 0x0 when it proposed nothing.
func TestSignerMetricsAnswerAsBesuDoes(t *testing.T) {
	chain, nodes := network(t, QBFT, 30000, 4)
	chain.Produce(6) // blocks 1-6 by 0x11…, 0x22…, 0x33…, 0x44…, 0x11…, 0x22…
	a := func(i int) string { return lower(addr(i)) }
	zero := "0x" + strings.Repeat("0", 40)
	cases := []struct{ params, want string }{
		// Blocks 0-5: the genesis' zero coinbase counts as its proposer.
		{`[]`, `{"jsonrpc":"2.0","id":7,"result":[` + metric(zero, "0x1", "0x0") + `,` + metric(a(1), "0x2", "0x5") + `,` +
			metric(a(2), "0x1", "0x2") + `,` + metric(a(3), "0x1", "0x3") + `,` + metric(a(4), "0x1", "0x4") + `]}`},
		// Blocks 2-3, then the validators that proposed none of them.
		{`["0x2","0x4"]`, `{"jsonrpc":"2.0","id":7,"result":[` + metric(a(2), "0x1", "0x2") + `,` + metric(a(3), "0x1", "0x3") + `,` +
			metric(a(1), "0x0", "0x0") + `,` + metric(a(4), "0x0", "0x0") + `]}`},
		// A decimal from (Long.decode) and a to past the head, which is the head: block 5.
		{`["5","0x64"]`, `{"jsonrpc":"2.0","id":7,"result":[` + metric(a(1), "0x1", "0x5") + `,` + metric(a(2), "0x0", "0x0") + `,` +
			metric(a(3), "0x0", "0x0") + `,` + metric(a(4), "0x0", "0x0") + `]}`},
		{`[null,"0x2"]`, `{"jsonrpc":"2.0","id":7,"result":[` + metric(zero, "0x1", "0x0") + `,` + metric(a(1), "0x1", "0x1") + `,` +
			metric(a(2), "0x0", "0x0") + `,` + metric(a(3), "0x0", "0x0") + `,` + metric(a(4), "0x0", "0x0") + `]}`},
		// from not below to, "latest" (the head) as from, a block that does not parse:
		// INVALID_BLOCK_NUMBER_PARAMS.
		{`["0x4","0x4"]`, `{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"Invalid block number params"}}`},
		{`["latest"]`, `{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"Invalid block number params"}}`},
		{`["tip"]`, `{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"Invalid block number params"}}`},
	}
	for _, c := range cases {
		if status, got := post(t, nodes[0], call("qbft_getSignerMetrics", c.params)); status != http.StatusOK || got != c.want {
			t.Errorf("qbft_getSignerMetrics %s\n got  %d %s\n want 200 %s", c.params, status, got, c.want)
		}
	}
	// IBFT's name on a QBFT chain, and QBFT's without the API: not enabled.
	if _, got := post(t, nodes[0], call("ibft_getSignerMetrics", `[]`)); !strings.Contains(got, `"code":-32604`) {
		t.Errorf("ibft_ on a QBFT chain: %s", got)
	}
	nodes[1].DisableConsensusAPI()
	if _, got := post(t, nodes[1], call("qbft_getSignerMetrics", `[]`)); !strings.Contains(got, `"code":-32604`) {
		t.Errorf("without the QBFT API: %s", got)
	}
}

// An offline validator's turn passes to the next validator in a round change (Besu
// 24.12.2 ProposerSelector: round r's proposer is r after round 0's), the block
// carrying its round in extraData; with fewer than a quorum online the chain stops.
func TestOfflineValidatorIsSkippedByARoundChange(t *testing.T) {
	chain, nodes := network(t, QBFT, 30000, 4)
	chain.Offline(true, addr(3))
	chain.Produce(6)
	var proposers []string
	for n := uint64(1); n <= chain.Head(); n++ {
		b, _ := chain.Block(n)
		proposers = append(proposers, lower(b.Proposer)[2:4])
		var e extraData
		if err := rlp.DecodeBytes(b.ExtraData, &e); err != nil {
			t.Fatal(err)
		}
		// QBFT writes the round with writeIntScalar: 0 is 80, 1 is 01.
		want := map[bool]string{false: "80", true: "01"}[n == 3 || n == 6]
		if got := hex.EncodeToString(e.Round); len(e.Seals) != 3 || got != want {
			t.Errorf("block %d: round %s (want %s), %d seals (want 3)", n, got, want, len(e.Seals))
		}
	}
	if got := strings.Join(proposers, ","); got != "11,22,44,11,22,44" {
		t.Errorf("proposers %s, want 11,22,44,11,22,44 (0x33… offline)", got)
	}
	if _, got := post(t, nodes[0], call("qbft_getSignerMetrics", `["0x1"]`)); !strings.Contains(got, metric(lower(addr(3)), "0x0", "0x0")) {
		t.Errorf("the offline validator is not listed with no block: %s", got)
	}
	chain.Offline(true, addr(4)) // 2 of 4 online, under the quorum of 3
	chain.Produce(2)
	if chain.Head() != 6 {
		t.Errorf("head %d: a chain without a quorum made blocks", chain.Head())
	}
	chain.Offline(false, addr(3), addr(4))
	chain.Produce(1)
	if b, _ := chain.Block(7); b.Proposer != addr(1) || b.Round != 0 {
		t.Errorf("back online, block 7 by %s in round %d", b.Proposer.Hex(), b.Round)
	}
}
