// Package besurpc is for tests only: a stand-in for Hyperledger Besu's JSON-RPC over
// HTTP on a set of QBFT or IBFT 2.0 nodes that share one chain. Each node keeps its own
// pending validator votes; blocks are produced only when a test asks (no timers), by
// Besu's round-robin proposer, each carrying one vote of its proposer chosen as Besu
// chooses it; the vote tally, the majority threshold and the epoch reset follow Besu.
// Every rule names the Besu source file it copies (github.com/hyperledger/besu, tag
// 24.12.2; unchanged in 26.2.0 unless said).
//
// Each node frames its replies as Besu's Vert.x server does (http.go): every JSON-RPC
// reply chunked, never with Content-Length (JsonRpcHttpService.java,
// JsonRpcObjectExecutor.java, JsonResponseStreamer.java, JsonRpcParserHandler.java);
// serves /liveness and /readiness (HealthService.java, LivenessCheck.java,
// ReadinessCheck.java); and keeps its peers as Besu does (admin.go: AdminAddPeer.java,
// AdminRemovePeer.java, AdminPeers.java, DefaultP2PNetwork.java, MaintainedPeers.java,
// EnodeURLImpl.java).
//
// Rounds other than 0 happen only when a test takes a validator offline (Offline): its
// turn passes to the next validator, as a round change passes it in Besu.
//
// What is not modelled: transactions, state, peer connections beyond "maintained and
// reachable", round changes among online validators, real commit seals (the fake holds no keys; the seals
// are 65 placeholder bytes each), validator contracts and transitions.
package besurpc

import (
	"bytes"
	"fmt"
	"slices"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// Consensus algorithms, as the network model names them.
const (
	QBFT  = "qbft"
	IBFT2 = "ibft2"
)

// Vote is one validator vote: add (true) or remove (false) Recipient.
type Vote struct {
	Recipient common.Address
	Add       bool
}

// Block is what the fake keeps of a block header.
type Block struct {
	Number     uint64
	Hash       common.Hash
	Parent     common.Hash
	Proposer   common.Address   // the header's coinbase ("miner"); zero in the genesis
	Round      uint32           // the round the block was agreed in (0 unless its proposers were offline)
	Validators []common.Address // the extraData list: the validators of this block
	Vote       *Vote
	ExtraData  []byte
}

// Chain is the chain every node of the fake shares.
type Chain struct {
	mu        sync.Mutex
	algorithm string
	epoch     uint64
	blocks    []*Block
	tallies   []*tally // tallies[i] is the tally after block i
	nodes     map[common.Address]*Node
	offline   map[common.Address]bool // validators that take no part in consensus
	hosts     map[string]string       // name → IPv4 address, what every node's Besu resolves
	// Resolve, when set, resolves a name the hosts set with SetHost do not hold (the
	// stand-in Besu of the kubelet test asks the pod's DNS). It is called with the
	// chain's lock held.
	Resolve func(name string) (ip string, ok bool)
}

// NewChain starts a chain whose genesis lists the given validators. epochLength is the
// genesis' epochlength (Besu's default is 30000: JsonBftConfigOptions).
func NewChain(algorithm string, epochLength uint64, genesis []common.Address) *Chain {
	if algorithm != QBFT && algorithm != IBFT2 {
		panic("besurpc: algorithm " + algorithm)
	}
	if epochLength == 0 {
		panic("besurpc: epoch length 0")
	}
	c := &Chain{algorithm: algorithm, epoch: epochLength, nodes: map[common.Address]*Node{}, offline: map[common.Address]bool{},
		hosts: map[string]string{"localhost": "127.0.0.1"}}
	validators := sorted(genesis)
	g := &Block{Validators: validators}
	g.ExtraData = encodeExtraData(algorithm, validators, nil, nil)
	g.Hash = hashOf(g)
	c.blocks = []*Block{g}
	c.tallies = []*tally{newTally(validators)}
	return c
}

// Prefix is the JSON-RPC namespace of the chain's consensus methods: qbft or ibft
// (Besu 24.12.2 ethereum/api/.../jsonrpc/RpcMethod.java).
func (c *Chain) Prefix() string {
	if c.algorithm == QBFT {
		return "qbft"
	}
	return "ibft"
}

// Produce adds n blocks, each proposed by the validator whose turn it is. While fewer
// than a quorum of the validators are online, the chain is stopped: no block is added.
func (c *Chain) Produce(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for range n {
		c.produce()
	}
}

// Offline takes validators out of consensus, or brings them back (offline false):
// an offline validator proposes nothing and seals nothing, whether it is down, cut
// off from its peers, or runs with a key that is not the one on chain. Its turn
// passes to the next validator by a round change (proposerOf).
func (c *Chain) Offline(offline bool, validators ...common.Address) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range validators {
		if offline {
			c.offline[v] = true
		} else {
			delete(c.offline, v)
		}
	}
}

func (c *Chain) produce() {
	parent := c.blocks[len(c.blocks)-1]
	before := c.tallies[len(c.tallies)-1]
	// Besu 24.12.2 consensus/common/.../bft/blockcreation/BftBlockCreatorFactory.java
	// createExtraData: the validators after the parent and the proposer's vote after it.
	validators := before.sorted()
	var online []common.Address
	for _, v := range validators {
		if !c.offline[v] {
			online = append(online, v)
		}
	}
	if len(online) < quorum(len(validators)) {
		return // no quorum commits a block (BftHelpers.calculateRequiredValidatorQuorum)
	}
	b := &Block{Number: parent.Number + 1, Parent: parent.Hash, Validators: validators}
	b.Proposer, b.Round = c.proposerOf(parent.Proposer, validators)
	if node := c.nodes[b.Proposer]; node != nil {
		b.Vote = node.voteAfter(before)
	}
	b.ExtraData = encodeExtra(c.algorithm, [32]byte{}, validators, b.Vote, b.Round, seals(b.Number, online[:quorum(len(validators))]))
	b.Hash = hashOf(b)
	c.blocks = append(c.blocks, b)
	c.tallies = append(c.tallies, c.tallyAfter(b, before))
}

// proposerOf is the proposer of the block after one proposed by previous, and the
// round it is agreed in: round r's proposer is r validators after round 0's (Besu
// 24.12.2 ProposerSelector.calculateRoundSpecificValidator, the index offset growing
// with the round number), and a round whose proposer is offline times out into the
// next (the round change). The fake's online validators never miss their round.
func (c *Chain) proposerOf(previous common.Address, validators []common.Address) (common.Address, uint32) {
	first := slices.Index(validators, nextProposer(previous, validators))
	for round := range len(validators) {
		if v := validators[(first+round)%len(validators)]; !c.offline[v] {
			return v, uint32(round)
		}
	}
	return validators[first], 0 // unreachable: produce checked the quorum
}

// tallyAfter follows Besu 24.12.2 consensus/common/.../validator/blockbased/
// VoteTallyCache.java getValidatorsAfter: an epoch block starts a fresh tally from the
// validators in its own header (every outstanding vote, add or remove, is gone and the
// epoch block's own vote is not counted: VoteTallyUpdater.updateForBlock); any other
// block adds its vote to a copy of the parent's tally.
func (c *Chain) tallyAfter(b *Block, before *tally) *tally {
	if b.Number%c.epoch == 0 {
		return newTally(b.Validators)
	}
	t := before.copy()
	if b.Vote != nil {
		t.addVote(b.Proposer, *b.Vote)
	}
	return t
}

// nextProposer is round 0 of Besu 24.12.2 consensus/common/.../bft/blockcreation/
// ProposerSelector.java (BftProposerSelector.java in 26.2.0), with changeEachBlock
// true (QbftBesuControllerBuilder, IbftBesuControllerBuilder): the validator after the
// previous block's proposer in ascending order; if that proposer is no longer a
// validator (or is the genesis' zero coinbase), the first validator above its address.
func nextProposer(previous common.Address, validators []common.Address) common.Address {
	if i := slices.Index(validators, previous); i >= 0 {
		return validators[(i+1)%len(validators)]
	}
	for _, v := range validators {
		if bytes.Compare(v[:], previous[:]) > 0 {
			return v
		}
	}
	return validators[0]
}

// quorum is ⌈2n/3⌉ of n validators (BftHelpers.calculateRequiredValidatorQuorum).
func quorum(n int) int { return (2*n + 2) / 3 }

// seals stands in for the commit seals of the validators given (a quorum of online
// ones): 65 bytes each, like an secp256k1 signature, but not one.
func seals(number uint64, validators []common.Address) [][]byte {
	out := make([][]byte, len(validators))
	for i := range out {
		seal := make([]byte, 65)
		copy(seal, crypto.Keccak256([]byte(fmt.Sprintf("seal %d %s", number, validators[i].Hex()))))
		out[i] = seal
	}
	return out
}

// hashOf gives each block a distinct, deterministic hash (not Besu's header hash: the
// fake has no full header).
func hashOf(b *Block) common.Hash {
	data, err := rlp.EncodeToBytes([]any{b.Number, b.Parent, b.Proposer, b.ExtraData})
	if err != nil {
		panic(err)
	}
	return crypto.Keccak256Hash(data)
}

// Head is the number of the newest block.
func (c *Chain) Head() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return uint64(len(c.blocks) - 1)
}

// Block returns a copy of block number n.
func (c *Chain) Block(n uint64) (Block, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n >= uint64(len(c.blocks)) {
		return Block{}, false
	}
	return *c.blocks[n], true
}

// Validators are the validators in the head block's header: what
// <prefix>_getValidatorsByBlockNumber("latest") answers.
func (c *Chain) Validators() []common.Address {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.blocks[len(c.blocks)-1].Validators)
}

// ValidatorsAfterHead are the validators after the head block's vote counted: the
// validators of the next block ("pending").
func (c *Chain) ValidatorsAfterHead() []common.Address {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tallies[len(c.tallies)-1].sorted()
}

func sorted(addrs []common.Address) []common.Address {
	out := slices.Clone(addrs)
	slices.SortFunc(out, func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(out)
}
