package status

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/besu"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
	"github.com/flux-ledger/flux-ledger/generator/testenv/besurpc"
)

// The real kube-apiserver refuses to proxy to loopback endpoints, so these tests put a
// server on 127.0.0.1 in its place that plays only its service-proxy path and hands the
// request to the Besu JSON-RPC fake. Status reaches it through a kubeconfig, as it
// reaches a real cluster.

const proxyPath = "/api/v1/namespaces/tradenet-contoso/services/contoso-rpc-1:rpc/proxy/"

func reference(t *testing.T) *model.Network {
	t.Helper()
	result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	return result.Network
}

func address(network *model.Network, node string) common.Address {
	return common.HexToAddress(network.Identities[node].Address)
}

// apiServer plays the API server's service proxy in front of handler; it records the
// requests it proxied.
type apiServer struct {
	mu       sync.Mutex
	requests []string
}

func (a *apiServer) start(t *testing.T, handler http.Handler) string {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != proxyPath {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`))
			return
		}
		a.mu.Lock()
		a.requests = append(a.requests, r.Method+" "+r.URL.Path+" "+r.Header.Get("Content-Type"))
		a.mu.Unlock()
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(server.Close)
	config := clientcmdapi.NewConfig()
	config.Clusters["fake"] = &clientcmdapi.Cluster{Server: server.URL}
	config.AuthInfos["fake"] = &clientcmdapi.AuthInfo{Token: "t"}
	config.Contexts["fake"] = &clientcmdapi.Context{Cluster: "fake", AuthInfo: "fake"}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*config, kubeconfig); err != nil {
		t.Fatal(err)
	}
	return kubeconfig
}

// toNode forwards the proxied request to a fake node's JSON-RPC root, as the API
// server forwards <service>:<port>/proxy/ to the endpoint's "/".
func toNode(node *besurpc.Node) http.Handler {
	target, _ := url.Parse(node.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = "/"
		proxy.ServeHTTP(w, r)
	})
}

func collect(t *testing.T, network *model.Network, kubeconfig string, timeout time.Duration) *Report {
	t.Helper()
	return Collect(context.Background(), network, Options{Kubeconfig: kubeconfig, Timeout: timeout,
		Contexts: map[string]string{"contoso-aks-weu": "fake"}})
}

func call(t *testing.T, node *besurpc.Node, method, params string) {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"` + method + `","params":` + params + `}`
	resp, err := http.Post(node.URL(), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

func propose(t *testing.T, node *besurpc.Node, subject common.Address, add bool) {
	t.Helper()
	call(t, node, node.Chain().Prefix()+"_proposeValidatorVote", `["`+strings.ToLower(subject.Hex())+`",`+map[bool]string{true: "true", false: "false"}[add]+`]`)
}

// chainOf starts a fake chain whose genesis has the reference network's validators
// except woodgrove-validator-1, plus an address the network does not know; every one
// of them and contoso-rpc-1 is a node.
func chainOf(t *testing.T, network *model.Network) (*besurpc.Chain, map[string]*besurpc.Node, common.Address) {
	t.Helper()
	stranger := common.HexToAddress("0x" + strings.Repeat("5", 40))
	var genesis []common.Address
	for _, a := range besu.Validators(network) {
		if a != address(network, "woodgrove-validator-1") {
			genesis = append(genesis, a)
		}
	}
	genesis = append(genesis, stranger)
	chain := besurpc.NewChain(network.Consensus.Algorithm, uint64(network.Consensus.EpochLength), genesis)
	nodes := map[string]*besurpc.Node{}
	for name, node := range network.Nodes {
		if (node.IsValidator() && name != "woodgrove-validator-1") || name == "contoso-rpc-1" {
			nodes[name] = chain.AddNode(t, address(network, name))
		}
	}
	chain.AddNode(t, stranger)
	return chain, nodes, stranger
}

func pendingChange(t *testing.T, v Validators, add bool) Change {
	t.Helper()
	for _, c := range v.Pending {
		if c.Add == add {
			return c
		}
	}
	t.Fatalf("no pending change with add=%t: %+v", add, v.Pending)
	return Change{}
}

// Status reads, through contoso's API server, contoso-rpc-1's view of the chain: the
// validators at the latest block and the votes that landed since the last epoch block
// (each block's vote is its proposer's, the "miner": Besu 24.12.2 consensus/common/.../
// bft/BftBlockInterface.java getProposerOfBlock), and reports against the desired
// validators: which changes are pending, how many votes each has and needs (⌊n/2⌋+1:
// VoteTally.validatorLimit), and whose validators have not voted yet.
func TestStatusReportsValidatorVotes(t *testing.T) {
	network := reference(t)
	chain, nodes, stranger := chainOf(t, network)
	joiner := address(network, "woodgrove-validator-1")
	propose(t, nodes["contoso-validator-1"], joiner, true)
	propose(t, nodes["fabrikam-validator-1"], joiner, true)
	propose(t, nodes["northwind-validator-1"], stranger, false)
	unwanted := common.HexToAddress("0x" + strings.Repeat("6", 40))
	propose(t, nodes["northwind-validator-2"], unwanted, true)
	chain.Produce(7) // each of the 7 validators proposes once
	nodes["contoso-rpc-1"].StartWith("enode://"+strings.Repeat("a", 128)+"@192.0.2.10:30303", "enode://"+strings.Repeat("b", 128)+"@192.0.2.11:30303")

	api := &apiServer{}
	report := collect(t, network, api.start(t, toNode(nodes["contoso-rpc-1"])), 5*time.Second)
	if len(report.Validators) != 1 {
		t.Fatalf("validators read from %d parties, want contoso only", len(report.Validators))
	}
	v := report.Validators[0]
	if v.Error != "" || v.Party != "contoso" || v.Node != "contoso-rpc-1" || v.Block != 7 || len(v.OnChain) != 7 || len(v.Desired) != 7 {
		t.Fatalf("read %+v", v)
	}
	// The fake's block n is made n seconds after the epoch; its two peers connected.
	if v.Peers != 2 || v.BlockTime != "1970-01-01T00:00:07Z" {
		t.Errorf("ledger health: %d peers, block made %q; want 2, 1970-01-01T00:00:07Z", v.Peers, v.BlockTime)
	}
	if v.EpochStart != 0 || v.VotesFrom != 1 || v.VotesPartial {
		t.Errorf("window %d-%d (epoch %d, partial %t)", v.VotesFrom, v.Block, v.EpochStart, v.VotesPartial)
	}
	add := pendingChange(t, v, true)
	if add.Node != "woodgrove-validator-1" || add.Votes != 2 || add.Needed != 4 {
		t.Errorf("add: %+v", add)
	}
	wantNotVoted := map[string][]string{"contoso": {"contoso-validator-2"}, "fabrikam": {"fabrikam-validator-2"},
		"northwind": {"northwind-validator-1", "northwind-validator-2"}, "unknown": {strings.ToLower(stranger.Hex())}}
	for party, names := range wantNotVoted {
		if !slices.Equal(add.NotVoted[party], names) {
			t.Errorf("add: not voted in %s: %v, want %v", party, add.NotVoted[party], names)
		}
	}
	if len(add.NotVoted) != len(wantNotVoted) {
		t.Errorf("add: not voted %v", add.NotVoted)
	}
	remove := pendingChange(t, v, false)
	if remove.Node != "" || remove.Address != strings.ToLower(stranger.Hex()) || remove.Votes != 1 || len(remove.Voted) != 1 || remove.Voted[0].Node != "northwind-validator-1" {
		t.Errorf("remove: %+v", remove)
	}
	if len(v.Unwanted) != 1 || v.Unwanted[0].Address != strings.ToLower(unwanted.Hex()) || !v.Unwanted[0].Add || v.Unwanted[0].Votes != 1 {
		t.Errorf("unwanted: %+v", v.Unwanted)
	}
	if len(api.requests) != 3 || api.requests[0] != "POST "+proxyPath+" application/json" {
		t.Errorf("proxied requests %v, want three POSTs to %s (the block number, one batch with the peer count, one of the proposals)", api.requests, proxyPath)
	}

	var out bytes.Buffer
	report.Table(&out)
	for _, want := range []string{"contoso     contoso-rpc-1  7      7         7        2        blocks 1-7",
		"contoso: add woodgrove-validator-1 (" + strings.ToLower(joiner.Hex()) + "): 2 of 4 votes; not voted yet: contoso (contoso-validator-2), fabrikam (fabrikam-validator-2), northwind (",
		"contoso: unwanted: add " + strings.ToLower(unwanted.Hex()) + ": 1 of 4 votes",
		"LEDGER   RPC NODE       BLOCK  BEHIND  BLOCK MADE (UTC)      PEERS\ncontoso  contoso-rpc-1  7      0       1970-01-01T00:00:07Z  2\n"} {
		if !strings.Contains(unwrapped(out.String()), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	report.JSON(&out)
	for _, field := range []string{`"validators": [`, `"onChain": [`, `"desired": [`, `"pending": [`, `"notVoted": {`, `"needed": 4`, `"votesFrom": 1`, `"votesPartial": false`, `"epochStart": 0`, `"peers": 2`, `"blockTime": "1970-01-01T00:00:07Z"`} {
		if !strings.Contains(out.String(), field) {
			t.Errorf("JSON lacks %s", field)
		}
	}

	// Two more votes pass the add in the block that carries the fourth; the header of
	// that block still lists the old validators (BftBlockCreatorFactory.createExtraData
	// writes the validators after the parent), so the change shows as passed, in effect
	// from the next block, and then as on chain.
	propose(t, nodes["contoso-validator-2"], joiner, true)
	propose(t, nodes["fabrikam-validator-2"], joiner, true)
	for !slices.Contains(chain.ValidatorsAfterHead(), joiner) {
		chain.Produce(1)
	}
	v = collect(t, network, api.start(t, toNode(nodes["contoso-rpc-1"])), 5*time.Second).Validators[0]
	if add := pendingChange(t, v, true); add.PassedAt != chain.Head() {
		t.Errorf("add after the deciding vote: %+v", add)
	}
	chain.Produce(1)
	v = collect(t, network, api.start(t, toNode(nodes["contoso-rpc-1"])), 5*time.Second).Validators[0]
	if len(v.OnChain) != 8 || len(v.Pending) != 1 || v.Pending[0].Add || v.Pending[0].Needed != 5 {
		t.Errorf("after the add: %d on chain, pending %+v", len(v.OnChain), v.Pending)
	}
}

// Votes before the last epoch block no longer count (Besu 24.12.2 VoteTallyCache:
// an epoch block starts a fresh tally) and are not read; with a long epoch only the
// newest VoteWindow blocks are read, and the report says the count may be short.
func TestStatusCountsVotesSinceTheEpochWithinABound(t *testing.T) {
	network := reference(t)
	network.Consensus.EpochLength = 10
	chain, nodes, _ := chainOf(t, network)
	joiner := address(network, "woodgrove-validator-1")
	propose(t, nodes["contoso-validator-1"], joiner, true)
	chain.Produce(7)
	api := &apiServer{}
	kubeconfig := api.start(t, toNode(nodes["contoso-rpc-1"]))
	if add := pendingChange(t, collect(t, network, kubeconfig, 5*time.Second).Validators[0], true); add.Votes != 1 {
		t.Fatalf("before the epoch block: %+v", add)
	}
	// Withdrawn, so that it is not cast again once the epoch block reset the tally.
	call(t, nodes["contoso-validator-1"], "qbft_discardValidatorVote", `["`+strings.ToLower(joiner.Hex())+`"]`)
	chain.Produce(4) // block 10 is an epoch block
	v := collect(t, network, kubeconfig, 5*time.Second).Validators[0]
	if v.EpochStart != 10 || v.VotesFrom != 11 || v.Block != 11 {
		t.Errorf("window %d-%d, epoch %d", v.VotesFrom, v.Block, v.EpochStart)
	}
	for n := v.VotesFrom; n <= v.Block; n++ {
		if b, _ := chain.Block(n); b.Vote != nil {
			t.Fatalf("test assumes no vote in block %d", n)
		}
	}
	if add := pendingChange(t, v, true); add.Votes != 0 {
		t.Errorf("a vote from before the epoch block counted: %+v", add)
	}

	network.Consensus.EpochLength = 30000
	chain2, nodes2, _ := chainOf(t, network)
	chain2.Produce(300)
	v = collect(t, network, (&apiServer{}).start(t, toNode(nodes2["contoso-rpc-1"])), 5*time.Second).Validators[0]
	if v.Error != "" || !v.VotesPartial || v.VotesFrom != 300-VoteWindow+1 || v.EpochStart != 0 {
		t.Errorf("long epoch: %+v", v)
	}
}

// An RPC node that cannot be reached is reported, and never holds the report past the
// per-cluster timeout: no endpoints behind the Service (the API server answers 503),
// or a proxy that never answers.
func TestStatusReportsAnUnreachableRPCNode(t *testing.T) {
	network := reference(t)
	noEndpoints := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"no endpoints available for service \"contoso-rpc-1\"","reason":"ServiceUnavailable","code":503}`))
	})
	v := collect(t, network, (&apiServer{}).start(t, noEndpoints), 5*time.Second).Validators[0]
	if !strings.Contains(v.Error, `no endpoints available for service "contoso-rpc-1"`) {
		t.Errorf("error %q", v.Error)
	}
	// (The body is read first: only then does the server notice the client leave.)
	hang := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	start := time.Now()
	report := collect(t, network, (&apiServer{}).start(t, hang), time.Second)
	if elapsed := time.Since(start); elapsed > 4*time.Second || report.Validators[0].Error == "" {
		t.Errorf("after %s: %+v", elapsed, report.Validators[0])
	}
	var out bytes.Buffer
	report.Table(&out)
	if !strings.Contains(out.String(), "contoso     contoso-rpc-1  -") {
		t.Errorf("table:\n%s", out.String())
	}
}

// IBFT 2.0 networks are read with the ibft_ methods and IBFT's extraData.
func TestStatusReadsIBFTVotes(t *testing.T) {
	network := reference(t)
	network.Consensus.Algorithm = model.IBFT2
	chain, nodes, stranger := chainOf(t, network)
	propose(t, nodes["fabrikam-validator-2"], stranger, false)
	chain.Produce(7)
	v := collect(t, network, (&apiServer{}).start(t, toNode(nodes["contoso-rpc-1"])), 5*time.Second).Validators[0]
	if remove := pendingChange(t, v, false); v.Error != "" || remove.Votes != 1 || remove.Voted[0].Node != "fabrikam-validator-2" {
		t.Errorf("%+v", v)
	}
	// Who proposed, with ibft_getSignerMetrics: blocks 1-6 (the head is not counted), by
	// six of the seven validators in ascending order (the seventh's turn is block 7).
	if p := v.Proposals; p == nil || p.Error != "" || p.From != 1 || p.To != 6 || p.Whole || len(p.Validators) != 7 || p.Validators[6].Proposed != 0 || p.Validators[0].Proposed != 1 {
		t.Errorf("proposals %+v", v.Proposals)
	}
	if calls := nodes["contoso-rpc-1"].Calls(); !slices.Contains(calls, `ibft_getSignerMetrics ["0x1","0x7"]`) {
		t.Errorf("calls %q", calls)
	}
}

// The ledger table puts each party's height against the highest any party reads: a
// party behind shows by how many blocks; a party whose node could not be read is in
// the validators table with its cause, not here.
func TestLedgerTableShowsHowFarEachPartyIsBehind(t *testing.T) {
	r := &Report{Validators: []Validators{
		{Party: "alpha", Node: "alpha-rpc", Block: 120, BlockTime: "2026-12-06T10:00:00Z", Peers: 4},
		{Party: "beta", Node: "beta-rpc", Block: 97, BlockTime: "2026-12-06T09:59:37Z", Peers: 1},
		{Party: "gamma", Node: "gamma-rpc", Error: "connection refused by 10.0.0.3:6443 (context gamma)"},
	}}
	var out bytes.Buffer
	if err := r.ledgerTable(&out); err != nil {
		t.Fatal(err)
	}
	want := "\nLEDGER  RPC NODE   BLOCK  BEHIND  BLOCK MADE (UTC)      PEERS\n" +
		"alpha   alpha-rpc  120    0       2026-12-06T10:00:00Z  4\n" +
		"beta    beta-rpc   97     23      2026-12-06T09:59:37Z  1\n"
	if out.String() != want {
		t.Errorf("ledger table:\n%s\nwant:\n%s", out.String(), want)
	}
}
