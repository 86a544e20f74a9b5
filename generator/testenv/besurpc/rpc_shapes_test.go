package besurpc

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func post(t *testing.T, n *Node, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(n.URL(), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(data))
}

func call(method, params string) string {
	return `{"jsonrpc":"2.0","id":7,"method":"` + method + `","params":` + params + `}`
}

// The answers' shapes, each from the Besu 24.12.2 source named.
func TestRPCAnswersAsBesuDoes(t *testing.T) {
	_, nodes := network(t, QBFT, 30000, 4)
	n := nodes[0]
	x := "0x" + strings.Repeat("9", 40)
	cases := []struct{ request, want string }{
		// QbftProposeValidatorVote: [address, add] → true.
		{call("qbft_proposeValidatorVote", `["`+x+`",true]`), `{"jsonrpc":"2.0","id":7,"result":true}`},
		// AbstractVoteProposerMethod: {address: add}, lowercase 0x hex.
		{call("qbft_getPendingVotes", `[]`), `{"jsonrpc":"2.0","id":7,"result":{"` + x + `":true}}`},
		// QbftDiscardValidatorVote: [address] → true, also when nothing was pending.
		{call("qbft_discardValidatorVote", `["`+x+`"]`), `{"jsonrpc":"2.0","id":7,"result":true}`},
		{call("qbft_discardValidatorVote", `["`+x+`"]`), `{"jsonrpc":"2.0","id":7,"result":true}`},
		{call("qbft_getPendingVotes", `[]`), `{"jsonrpc":"2.0","id":7,"result":{}}`},
		// QbftGetValidatorsByBlockNumber: the header's validators, ascending; a block
		// past the head is null.
		{call("qbft_getValidatorsByBlockNumber", `["latest"]`), `{"jsonrpc":"2.0","id":7,"result":["0x1111111111111111111111111111111111111111","0x2222222222222222222222222222222222222222","0x3333333333333333333333333333333333333333","0x4444444444444444444444444444444444444444"]}`},
		{call("qbft_getValidatorsByBlockNumber", `["0x5"]`), `{"jsonrpc":"2.0","id":7,"result":null}`},
		// EthBlockNumber: a Quantity.
		{call("eth_blockNumber", `[]`), `{"jsonrpc":"2.0","id":7,"result":"0x0"}`},
		// RpcErrorType: the other algorithm's names exist but are not enabled; unknown
		// names are not found; bad params are -32602 with the parameter's message.
		{call("ibft_getPendingVotes", `[]`), `{"jsonrpc":"2.0","id":7,"error":{"code":-32604,"message":"Method not enabled"}}`},
		{call("qbft_vote", `[]`), `{"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"Method not found"}}`},
		{call("qbft_proposeValidatorVote", `["0xnothex",true]`), `{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"Invalid address params"}}`},
		{call("qbft_proposeValidatorVote", `["`+x+`"]`), `{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"Invalid vote type params"}}`},
		{call("qbft_getValidatorsByBlockNumber", `["tip"]`), `{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"Invalid block, unable to parse RLP"}}`},
		{call("qbft_getValidatorsByBlockHash", `["0x12"]`), `{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"Invalid block hash params"}}`},
	}
	for _, c := range cases {
		if status, got := post(t, n, c.request); status != http.StatusOK || got != c.want {
			t.Errorf("%s\n got  %d %s\n want 200 %s", c.request, status, got, c.want)
		}
	}
	// Address.fromHexString is lenient: a short address is left-padded, not refused.
	post(t, n, call("qbft_proposeValidatorVote", `["0x99",false]`))
	if _, got := post(t, n, call("qbft_getPendingVotes", `[]`)); got != `{"jsonrpc":"2.0","id":7,"result":{"0x0000000000000000000000000000000000000099":false}}` {
		t.Errorf("lenient address: %s", got)
	}
	// A body that is not JSON: HTTP 400, Parse error (AbstractJsonRpcExecutor).
	if status, got := post(t, n, `{"method":`); status != http.StatusBadRequest || !strings.Contains(got, `"code":-32700`) {
		t.Errorf("parse error: %d %s", status, got)
	}
	// Without the QBFT API in --rpc-http-api the methods are not enabled.
	n.DisableConsensusAPI()
	if _, got := post(t, n, call("qbft_getPendingVotes", `[]`)); !strings.Contains(got, `"code":-32604`) {
		t.Errorf("disabled API: %s", got)
	}
}

// eth_getBlockByNumber carries the proposer as "miner" and the vote in "extraData";
// getValidatorsByBlockHash finds the block by its hash; a batch is answered in order.
func TestBlocksCarryProposerAndVote(t *testing.T) {
	chain, nodes := network(t, IBFT2, 30000, 4)
	x := "0x" + strings.Repeat("9", 40)
	post(t, nodes[0], call("ibft_proposeValidatorVote", `["`+x+`",false]`))
	post(t, nodes[0], call("ibft_proposeValidatorVote", `["0x`+strings.Repeat("8", 40)+`",true]`))
	chain.Produce(1)
	_, got := post(t, nodes[1], `[`+call("eth_blockNumber", `[]`)+`,`+call("eth_getBlockByNumber", `["0x1",false]`)+`]`)
	var batch []struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal([]byte(got), &batch); err != nil || len(batch) != 2 {
		t.Fatalf("batch answer %s: %v", got, err)
	}
	var block struct {
		Number, Hash, Miner, ExtraData string
	}
	json.Unmarshal(batch[1].Result, &block)
	b, _ := chain.Block(1)
	if string(batch[0].Result) != `"0x1"` || block.Number != "0x1" || block.Miner != "0x1111111111111111111111111111111111111111" || block.ExtraData != "0x"+hex.EncodeToString(b.ExtraData) {
		t.Errorf("block %+v (batch %s)", block, got)
	}
	// The remove of 0x99… (not a validator) would change nothing: the add lands.
	if b.Vote == nil || !b.Vote.Add || b.Vote.Recipient != addr(8) {
		t.Errorf("vote %+v, want the add of 0x88…", b.Vote)
	}
	_, got = post(t, nodes[2], call("ibft_getValidatorsByBlockHash", `["`+block.Hash+`"]`))
	if !strings.Contains(got, `"result":["0x1111`) {
		t.Errorf("by hash: %s", got)
	}
}

// "pending" in getValidatorsByBlockNumber: QBFT answers the validators after the head
// block (QbftGetValidatorsByBlockNumber.pendingResult); IBFT keeps
// AbstractBlockParameterMethod.pendingResult, which answers "latest".
func TestPendingValidatorsPerAlgorithm(t *testing.T) {
	for _, c := range []struct {
		algorithm, prefix string
		pendingShowsIt    bool
	}{{QBFT, "qbft", true}, {IBFT2, "ibft", false}} {
		chain, nodes := network(t, c.algorithm, 30000, 4)
		for _, n := range nodes[:3] {
			n.proposals[addr(9)] = true
		}
		for !slices.Contains(chain.ValidatorsAfterHead(), addr(9)) {
			chain.Produce(1)
		}
		_, latest := post(t, nodes[3], call(c.prefix+"_getValidatorsByBlockNumber", `["latest"]`))
		_, pending := post(t, nodes[3], call(c.prefix+"_getValidatorsByBlockNumber", `["pending"]`))
		nine := "0x" + strings.Repeat("9", 40)
		if strings.Contains(latest, nine) || strings.Contains(pending, nine) != c.pendingShowsIt {
			t.Errorf("%s: latest %s, pending %s", c.algorithm, latest, pending)
		}
	}
}
