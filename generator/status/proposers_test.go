package status

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv/besurpc"
)

// lastProposedIn is, from the fake chain's own blocks, the last block of from…to that
// addr proposed (0 when none): what getSignerMetrics should have told status.
func lastProposedIn(chain *besurpc.Chain, addr common.Address, from, to uint64) uint64 {
	last := uint64(0)
	for n := from; n <= to; n++ {
		if b, _ := chain.Block(n); b.Proposer == addr {
			last = n
		}
	}
	return last
}

func proposer(t *testing.T, p *Proposals, node string) Proposer {
	t.Helper()
	i := slices.IndexFunc(p.Validators, func(q Proposer) bool { return q.Node == node })
	if i < 0 {
		t.Fatalf("no proposals of %s: %+v", node, p.Validators)
	}
	return p.Validators[i]
}

// With every validator taking part, each proposes in every round (Besu's round-robin
// ProposerSelector), so none is flagged; status reads the blocks before the head
// (getSignerMetrics' to is exclusive and at most the head) for 2 rounds of the 7
// validators on chain, each validator's last proposed block as the chain has it.
func TestStatusFlagsNoValidatorWhenAllPropose(t *testing.T) {
	network := reference(t)
	chain, nodes, _ := chainOf(t, network)
	chain.Produce(20)
	api := &apiServer{}
	report := collect(t, network, api.start(t, toNode(nodes["contoso-rpc-1"])), 5*time.Second)
	v := report.Validators[0]
	p := v.Proposals
	if v.Error != "" || p == nil || p.Error != "" || p.From != 6 || p.To != 19 || !p.Whole || len(p.Validators) != 7 {
		t.Fatalf("validators %q, proposals %+v", v.Error, p)
	}
	for _, q := range p.Validators {
		a := common.HexToAddress(q.Address)
		if want := lastProposedIn(chain, a, 6, 19); q.Silent || q.Joined || q.Proposed != 2 || q.LastProposed != want {
			t.Errorf("%s: %+v, want 2 blocks proposed, the last %d", q.Address, q, want)
		}
	}
	if len(api.requests) != 3 {
		t.Errorf("proxied %d requests, want 3: the block number, the validators' batch, the proposals' batch", len(api.requests))
	}
	if got := nodes["contoso-rpc-1"].Calls(); !slices.Contains(got, `qbft_getSignerMetrics ["0x6","0x14"]`) {
		t.Errorf("calls %q lack getSignerMetrics over blocks 6 to 20 (exclusive)", got)
	}
	var out bytes.Buffer
	report.Table(&out)
	if !strings.Contains(out.String(), "VOTES READ   PROPOSED  MESSAGE") || !strings.Contains(out.String(), "blocks 1-20  7 of 7") || strings.Contains(out.String(), "silent") {
		t.Errorf("table:\n%s", out.String())
	}
}

// A validator that takes no part (down, cut off, or its key not the address on chain)
// loses every turn to a round change, proposes nothing in two rounds and is named with
// its party; one voted in within the blocks read is not flagged until it has been a
// validator for two whole rounds.
func TestStatusFlagsAValidatorSilentForTwoRounds(t *testing.T) {
	network := reference(t)
	chain, nodes, _ := chainOf(t, network)
	silent := address(network, "northwind-validator-2")
	chain.Offline(true, silent)
	chain.Produce(20)
	api := &apiServer{}
	kubeconfig := api.start(t, toNode(nodes["contoso-rpc-1"]))
	report := collect(t, network, kubeconfig, 5*time.Second)
	p := report.Validators[0].Proposals
	if q := proposer(t, p, "northwind-validator-2"); !q.Silent || q.Party != "northwind" || q.Proposed != 0 || q.LastProposed != 0 {
		t.Errorf("offline validator: %+v", q)
	}
	if q := proposer(t, p, "contoso-validator-1"); q.Silent || q.Proposed == 0 {
		t.Errorf("online validator: %+v", q)
	}
	var out bytes.Buffer
	report.Table(&out)
	text := unwrapped(out.String())
	for _, want := range []string{"blocks 1-20  6 of 7",
		"  contoso: silent: northwind-validator-2 (party northwind) has not proposed in 2 whole rounds (the last 14 blocks of 7 validators): it is down, cut off, or its key is not the one on chain"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	report.JSON(&out)
	for _, field := range []string{`"proposals": {`, `"from": 6`, `"to": 19`, `"whole": true`, `"silent": true`, `"lastProposed": `} {
		if !strings.Contains(out.String(), field) {
			t.Errorf("JSON lacks %s", field)
		}
	}

	// woodgrove-validator-1 is voted in but never takes part: a validator since block
	// n, it is "joined" (not flagged) until two whole rounds of 8 have passed.
	joiner := address(network, "woodgrove-validator-1")
	chain.Offline(true, joiner)
	for _, voter := range []string{"contoso-validator-1", "contoso-validator-2", "fabrikam-validator-1", "fabrikam-validator-2"} {
		propose(t, nodes[voter], joiner, true)
	}
	for !slices.Contains(chain.Validators(), joiner) {
		chain.Produce(1)
	}
	chain.Produce(2)
	q := proposer(t, collect(t, network, kubeconfig, 5*time.Second).Validators[0].Proposals, "woodgrove-validator-1")
	if !q.Joined || q.Silent || q.Proposed != 0 {
		t.Errorf("just voted in: %+v", q)
	}
	chain.Produce(16)
	q = proposer(t, collect(t, network, kubeconfig, 5*time.Second).Validators[0].Proposals, "woodgrove-validator-1")
	if q.Joined || !q.Silent {
		t.Errorf("two rounds later: %+v", q)
	}
}

// On a chain younger than two rounds nothing is flagged, and the row says why.
func TestStatusFlagsNothingOnAYoungChain(t *testing.T) {
	network := reference(t)
	chain, nodes, _ := chainOf(t, network)
	chain.Offline(true, address(network, "northwind-validator-2"))
	chain.Produce(5)
	report := collect(t, network, (&apiServer{}).start(t, toNode(nodes["contoso-rpc-1"])), 5*time.Second)
	p := report.Validators[0].Proposals
	if p == nil || p.Whole || p.From != 1 || p.To != 4 || slices.ContainsFunc(p.Validators, func(q Proposer) bool { return q.Silent }) {
		t.Fatalf("proposals %+v", p)
	}
	var out bytes.Buffer
	report.Table(&out)
	if want := "blocks 1-4 are under 2 rounds of 7 validators: none flagged silent"; !strings.Contains(out.String(), want) || strings.Contains(out.String(), "silent:") {
		t.Errorf("table lacks %q:\n%s", want, out.String())
	}
}

// rewriting plays, in front of a node, a Besu that does not serve a method: it asks
// the node for an unknown name instead, which Besu answers with "Method not found"
// (-32601, JsonRpcExecutor).
func rewriting(node http.Handler, method string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		body = bytes.ReplaceAll(body, []byte(`"`+method+`"`), []byte(`"`+method+`Unknown"`))
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		node.ServeHTTP(w, r)
	})
}

// When the proposals cannot be read — the node answers the method with an error, or
// the way to it fails on that request — the validators' reading stands, the PROPOSED
// cell says "not read" and the message why; nothing is flagged, nothing panics.
func TestStatusSaysProposalsNotRead(t *testing.T) {
	network := reference(t)
	network.Consensus.Algorithm = model.IBFT2
	chain, nodes, _ := chainOf(t, network)
	chain.Produce(20)
	report := collect(t, network, (&apiServer{}).start(t, rewriting(toNode(nodes["contoso-rpc-1"]), "ibft_getSignerMetrics")), 5*time.Second)
	v := report.Validators[0]
	if v.Error != "" || v.Block != 20 || v.Proposals == nil || v.Proposals.Error != "ibft_getSignerMetrics: Method not found (-32601)" || len(v.Proposals.Validators) != 0 {
		t.Fatalf("validators %q, proposals %+v", v.Error, v.Proposals)
	}
	var out bytes.Buffer
	report.Table(&out)
	if want := "blocks 1-20  not read  proposers not read: ibft_getSignerMetrics: Method not found (-32601)"; !strings.Contains(out.String(), want) {
		t.Errorf("table lacks %q:\n%s", want, out.String())
	}

	// The API server answers the first two POSTs and then has no endpoint.
	posts := 0
	flaky := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if posts++; posts <= 2 {
			toNode(nodes["contoso-rpc-1"]).ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"no endpoints available for service \"contoso-rpc-1\"","reason":"ServiceUnavailable","code":503}`))
	})
	v = collect(t, network, (&apiServer{}).start(t, flaky), 5*time.Second).Validators[0]
	if v.Error != "" || v.Proposals == nil || !strings.Contains(v.Proposals.Error, `no endpoints available for service "contoso-rpc-1"`) {
		t.Errorf("validators %q, proposals %+v", v.Error, v.Proposals)
	}
}

// tampering answers getSignerMetrics itself with result, framed as Besu frames every
// JSON-RPC reply (chunked, no Content-Length: JsonResponseStreamer.java), and passes
// every other request to node.
func tampering(node http.Handler, result string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !bytes.Contains(body, []byte(`_getSignerMetrics"`)) {
			r.Body = io.NopCloser(bytes.NewReader(body))
			node.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Transfer-Encoding", "chunked")
		w.Write([]byte(`[{"jsonrpc":"2.0","id":0,"result":` + result + `},{"jsonrpc":"2.0","id":1,"result":[]}]`))
	})
}

// An answer that is not Besu's is refused by name, never read as "proposed nothing":
// an entry whose address is not one, a validator on chain left out (Besu lists every
// validator after the range's last block: AbstractGetSignerMetricsMethod.java), a
// count that is not a quantity.
func TestStatusRefusesAnAnswerThatIsNotBesus(t *testing.T) {
	network := reference(t)
	chain, nodes, _ := chainOf(t, network)
	chain.Produce(20)
	node := toNode(nodes["contoso-rpc-1"])
	for result, want := range map[string]string{
		`[{"address":"<script>","proposedBlockCount":"0x1","lastProposedBlockNumber":"0x6"}]`: `qbft_getSignerMetrics: "<script>" is not an address`,
		`[]`: "qbft_getSignerMetrics: the answer does not list validator 0x",
		`[{"address":"0x5555555555555555555555555555555555555555","proposedBlockCount":2,"lastProposedBlockNumber":"0x6"}]`: "qbft_getSignerMetrics: json: cannot unmarshal number",
	} {
		v := collect(t, network, (&apiServer{}).start(t, tampering(node, result)), 5*time.Second).Validators[0]
		if v.Error != "" || v.Proposals == nil || !strings.HasPrefix(v.Proposals.Error, want) || len(v.Proposals.Validators) != 0 {
			t.Errorf("answer %s: validators %q, proposals %+v, want the error %q", result, v.Error, v.Proposals, want)
		}
	}
}
