package besurpc

import (
	"bytes"
	"fmt"
	"maps"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// Node is one Besu node of the chain: its own pending votes and its own JSON-RPC
// server on 127.0.0.1. A node whose address is not a validator may vote too; its votes
// never land, since only validators propose blocks (BftCoinbaseValidationRule).
type Node struct {
	chain   *Chain
	Address common.Address
	// proposals is VoteProposer.proposals: in memory only, so a restarted Besu has
	// none (Restart).
	proposals map[common.Address]bool
	position  int // VoteProposer.votePosition
	calls     []string
	// consensusAPI says whether --rpc-http-api lists the QBFT (or IBFT) API;
	// adminAPI whether it lists ADMIN.
	consensusAPI, adminAPI bool
	// ID is the node's own node id (lowercase hex, no 0x), if a test set one.
	ID string
	// static are the enodes of the static nodes file, maintained the peers Besu keeps
	// connections to (admin.go), unreachable the node ids a test took down.
	static      []string
	maintained  []*peer
	unreachable map[string]bool
	server      *httptest.Server
	ws          *httptest.Server // the WebSocket listener, once started (ws.go)
}

// AddNode starts a node with the given address, its JSON-RPC over HTTP served on
// 127.0.0.1 until the test ends, with the consensus and ADMIN APIs enabled.
func (c *Chain) AddNode(t testing.TB, address common.Address) *Node {
	t.Helper()
	n, err := c.NewNode(address)
	if err != nil {
		t.Fatal(err)
	}
	n.server = httptest.NewServer(n) // listens on 127.0.0.1
	t.Cleanup(n.server.Close)
	return n
}

// NewNode adds a node with the given address that serves nothing yet: Node is an
// http.Handler its caller serves (the kubelet test's stand-in Besu serves it on the
// rendered JSON-RPC address of its pod).
func (c *Chain) NewNode(address common.Address) (*Node, error) {
	n := &Node{chain: c, Address: address, proposals: map[common.Address]bool{}, consensusAPI: true, adminAPI: true,
		unreachable: map[string]bool{}}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.nodes[address] != nil {
		return nil, fmt.Errorf("besurpc: node %s added twice", address.Hex())
	}
	c.nodes[address] = n
	return n, nil
}

// Chain is the chain the node is part of.
func (n *Node) Chain() *Chain { return n.chain }

// URL is the node's JSON-RPC endpoint.
func (n *Node) URL() string { return n.server.URL }

// Port is the port of the node's JSON-RPC endpoint on 127.0.0.1.
func (n *Node) Port() string {
	u, _ := url.Parse(n.server.URL)
	return u.Port()
}

// DisableConsensusAPI makes the node answer its consensus methods as Besu does when
// --rpc-http-api does not list QBFT (or IBFT): "Method not enabled".
func (n *Node) DisableConsensusAPI() {
	n.chain.mu.Lock()
	defer n.chain.mu.Unlock()
	n.consensusAPI = false
}

// Restart forgets what a Besu restart forgets: the pending votes and the peers added
// at run time (the maintained peers are the static nodes again).
func (n *Node) Restart() {
	n.chain.mu.Lock()
	defer n.chain.mu.Unlock()
	n.proposals = map[common.Address]bool{}
	n.position = 0
	n.loadStatic()
}

// Stop closes the node's JSON-RPC server: nothing listens on its port any more.
func (n *Node) Stop() { n.server.Close() }

// Pending returns the node's pending votes: address → add.
func (n *Node) Pending() map[common.Address]bool {
	n.chain.mu.Lock()
	defer n.chain.mu.Unlock()
	return maps.Clone(n.proposals)
}

// Calls lists the JSON-RPC calls the node received, as "method params" with params in
// the JSON the caller sent.
func (n *Node) Calls() []string {
	n.chain.mu.Lock()
	defer n.chain.mu.Unlock()
	return slices.Clone(n.calls)
}

// ResetCalls forgets the calls recorded so far.
func (n *Node) ResetCalls() {
	n.chain.mu.Lock()
	defer n.chain.mu.Unlock()
	n.calls = nil
}

// voteAfter is VoteProposer.getVote (Besu 24.12.2 consensus/common/.../validator/
// blockbased/VoteProposer.java): of the pending votes that would still change something
// (notYetCast), the next in turn — votePosition.updateAndGet(i -> ++i % valid.size()),
// so the first block after one vote is proposed carries it, and several pending votes
// take turns. Besu walks a ConcurrentHashMap (hash order); the fake walks ascending
// addresses, so tests must not depend on which of several votes lands first.
func (n *Node) voteAfter(t *tally) *Vote {
	var valid []common.Address
	for _, subject := range slices.SortedFunc(maps.Keys(n.proposals), func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) }) {
		if t.notYetCast(n.Address, subject, n.proposals[subject]) {
			valid = append(valid, subject)
		}
	}
	if len(valid) == 0 {
		return nil
	}
	n.position = (n.position + 1) % len(valid)
	subject := valid[n.position]
	return &Vote{Recipient: subject, Add: n.proposals[subject]}
}
