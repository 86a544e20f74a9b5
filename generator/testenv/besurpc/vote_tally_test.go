package besurpc

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// addr gives readable test addresses: addr(1) = 0x1111…11.
func addr(i int) common.Address {
	return common.HexToAddress("0x" + strings.Repeat(fmt.Sprintf("%x", i), 40))
}

// network starts a chain of n validators addr(1)…addr(n), each a node.
func network(t *testing.T, algorithm string, epoch uint64, n int) (*Chain, []*Node) {
	t.Helper()
	var validators []common.Address
	for i := 1; i <= n; i++ {
		validators = append(validators, addr(i))
	}
	chain := NewChain(algorithm, epoch, validators)
	var nodes []*Node
	for _, v := range validators {
		nodes = append(nodes, chain.AddNode(t, v))
	}
	return chain, nodes
}

func votes(c *Chain) []string {
	var out []string
	for n := uint64(1); n <= c.Head(); n++ {
		b, _ := c.Block(n)
		if b.Vote != nil {
			out = append(out, fmt.Sprintf("%d %s %s %t", n, b.Proposer.Hex()[:4], b.Vote.Recipient.Hex()[:4], b.Vote.Add))
		}
	}
	return out
}

// Besu 24.12.2 consensus/common/.../bft/blockcreation/ProposerSelector.java: proposers
// take turns in ascending address order; after the genesis (coinbase zero) the lowest
// validator starts.
func TestProposersTakeTurns(t *testing.T) {
	chain, _ := network(t, QBFT, 30000, 4)
	chain.Produce(6)
	var got []common.Address
	for n := uint64(1); n <= 6; n++ {
		b, _ := chain.Block(n)
		got = append(got, b.Proposer)
	}
	want := []common.Address{addr(1), addr(2), addr(3), addr(4), addr(1), addr(2)}
	if !slices.Equal(got, want) {
		t.Errorf("proposers %v, want %v", got, want)
	}
}

// Besu 24.12.2 consensus/common/.../validator/blockbased/VoteTally.java validatorLimit:
// a change passes with ⌊n/2⌋+1 votes of the n current validators — 3 of 4 — counted
// from the votes in block headers, one per block, its proposer's. The header of the
// block that carries the deciding vote still lists the old validators (the validators
// of a block are those after its parent: BftBlockCreatorFactory.createExtraData), so
// "latest" shows the change one block later than "pending".
func TestChangePassesWithMajorityOfVotes(t *testing.T) {
	for _, algorithm := range []string{QBFT, IBFT2} {
		chain, nodes := network(t, algorithm, 30000, 4)
		x := addr(9)
		nodes[0].proposals[x] = true
		nodes[1].proposals[x] = true
		chain.Produce(8)
		if slices.Contains(chain.ValidatorsAfterHead(), x) {
			t.Fatalf("%s: added with 2 of 4 votes: %v", algorithm, votes(chain))
		}
		nodes[2].proposals[x] = true
		chain.Produce(3) // addr(3) proposes block 11
		if want := []string{"1 0x11 0x99 true", "2 0x22 0x99 true", "11 0x33 0x99 true"}; !slices.Equal(votes(chain), want) {
			t.Errorf("%s: votes %v, want %v", algorithm, votes(chain), want)
		}
		if !slices.Contains(chain.ValidatorsAfterHead(), x) || slices.Contains(chain.Validators(), x) {
			t.Errorf("%s: after the third vote: pending %v, latest %v", algorithm, chain.ValidatorsAfterHead(), chain.Validators())
		}
		chain.Produce(1)
		if !slices.Contains(chain.Validators(), x) || len(chain.Validators()) != 5 {
			t.Errorf("%s: latest %v", algorithm, chain.Validators())
		}
	}
}

// Besu 24.12.2 VoteProposer.voteNotYetCast: a vote that would change nothing (add a
// validator, remove a non-validator) stays pending and never goes into a block; so
// does a vote already counted. A node that is not a validator never proposes a block
// (BftCoinbaseValidationRule), so its votes never land either.
func TestVotesThatChangeNothingNeverLand(t *testing.T) {
	chain, nodes := network(t, QBFT, 30000, 4)
	outsider := chain.AddNode(t, addr(8))
	nodes[0].proposals[addr(2)] = true  // already a validator
	nodes[1].proposals[addr(7)] = false // not a validator
	outsider.proposals[addr(9)] = true
	chain.Produce(12)
	if v := votes(chain); len(v) != 0 {
		t.Errorf("votes landed: %v", v)
	}
	if len(nodes[0].Pending()) != 1 || len(outsider.Pending()) != 1 {
		t.Error("pending votes were dropped; Besu keeps them until discarded")
	}
	nodes[0].proposals[addr(9)] = true
	chain.Produce(8)
	if v := votes(chain); len(v) != 1 {
		t.Errorf("a counted vote is cast again in the same epoch: %v", v)
	}
}

// Besu 24.12.2 VoteTallyCache.getValidatorsAfter: an epoch block (number % epochlength
// == 0, EpochManager) starts a fresh tally, so votes cast before it no longer count;
// the validators stay. Pending votes are not discarded, and count again once recast.
func TestEpochBlockResetsTheTally(t *testing.T) {
	chain, nodes := network(t, QBFT, 12, 4)
	x := addr(9)
	nodes[0].proposals[x] = true
	nodes[1].proposals[x] = true
	chain.Produce(8) // their votes land in blocks 1 and 2
	delete(nodes[0].proposals, x)
	delete(nodes[1].proposals, x)
	chain.Produce(4) // block 12 is an epoch block
	nodes[2].proposals[x] = true
	chain.Produce(4) // addr(3)'s vote lands in block 15: 1 of 3 since the epoch
	if slices.Contains(chain.ValidatorsAfterHead(), x) {
		t.Fatalf("votes survived the epoch block: %v", votes(chain))
	}
	nodes[0].proposals[x] = true
	nodes[1].proposals[x] = true
	chain.Produce(2) // blocks 17 and 18, before the next epoch block (24)
	if !slices.Contains(chain.ValidatorsAfterHead(), x) {
		t.Errorf("recast votes did not pass: %v", votes(chain))
	}
}

// Removing a validator takes ⌊n/2⌋+1 remove votes; the removed validator proposes no
// more blocks (ProposerSelector.handleMissingProposer moves on to the next address).
func TestRemovedValidatorStopsProposing(t *testing.T) {
	chain, nodes := network(t, IBFT2, 30000, 4)
	for _, n := range nodes[:3] {
		n.proposals[addr(4)] = false
	}
	chain.Produce(4)
	if got := chain.ValidatorsAfterHead(); len(got) != 3 || slices.Contains(got, addr(4)) {
		t.Fatalf("validators %v", got)
	}
	chain.Produce(6)
	for n := uint64(5); n <= chain.Head(); n++ {
		if b, _ := chain.Block(n); b.Proposer == addr(4) {
			t.Errorf("block %d proposed by the removed validator", n)
		}
	}
}

// Several pending votes of one node take turns (VoteProposer.getVote's votePosition).
func TestPendingVotesTakeTurns(t *testing.T) {
	chain, nodes := network(t, QBFT, 30000, 4)
	nodes[0].proposals[addr(8)] = true
	nodes[0].proposals[addr(9)] = true
	chain.Produce(5) // addr(1) proposes blocks 1 and 5
	got := votes(chain)
	if len(got) != 2 || got[0][5:] == got[1][5:] {
		t.Errorf("votes %v: want one for each address", got)
	}
}
