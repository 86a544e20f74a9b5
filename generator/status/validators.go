package status

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/besu"
)

// VoteWindow bounds the blocks read for votes: those since the last epoch block (votes
// before it no longer count), but at most the newest 256. They are fetched in one
// JSON-RPC batch, well within Besu's default --rpc-http-max-batch-size of 1024
// (JsonRpcConfiguration.DEFAULT_MAX_BATCH_SIZE). With a longer epoch, older votes of
// the epoch are not seen: VotesPartial says so.
const VoteWindow = 256

// Validators is the validator set as one party's RPC node sees the chain, against the
// network's desired validators (the nodes whose role is validator).
type Validators struct {
	Party   string `json:"party"`
	Cluster string `json:"cluster"`
	Node    string `json:"node"` // the RPC node read, through the API server's service proxy
	Error   string `json:"error,omitempty"`
	Block   uint64 `json:"block"` // the latest block
	// BlockTime is when the latest block was made (its header's timestamp), UTC;
	// Peers the peers the RPC node is connected to (net_peerCount): the ledger's
	// health as that party sees it.
	BlockTime string `json:"blockTime,omitempty"`
	Peers     int    `json:"peers"`
	// OnChain are the validators of the latest block
	// (<qbft|ibft>_getValidatorsByBlockNumber).
	OnChain []Member `json:"onChain"`
	Desired []Member `json:"desired"`
	// Pending are the changes from OnChain to Desired, each with the votes that landed.
	Pending []Change `json:"pending"`
	// Unwanted are changes that have votes but are not wanted.
	Unwanted []Change `json:"unwanted,omitempty"`
	// Votes were counted in blocks VotesFrom…Block; EpochStart is the last epoch block.
	EpochStart   uint64 `json:"epochStart"`
	VotesFrom    uint64 `json:"votesFrom"`
	VotesPartial bool   `json:"votesPartial"`
	// Proposals are what each validator on chain proposed in the last ProposerRounds
	// rounds of blocks; nil before the chain has a block to read.
	Proposals *Proposals `json:"proposals,omitempty"`
}

// Member is a validator address with the node and party the network gives it (none
// for an address the network does not know).
type Member struct {
	Address string `json:"address"`
	Node    string `json:"node,omitempty"`
	Party   string `json:"party,omitempty"`
}

// Change is a validator to add or remove and how its vote stands.
type Change struct {
	Member
	Add   bool `json:"add"`
	Votes int  `json:"votes"` // votes that landed in the blocks read
	// Needed is how many votes pass it: ⌊n/2⌋+1 of the n validators on chain (Besu
	// VoteTally.validatorLimit).
	Needed int `json:"needed"`
	// PassedAt is the block whose vote passed it (it is on chain from the next one).
	PassedAt uint64   `json:"passedAt,omitempty"`
	Voted    []Member `json:"voted"`
	// NotVoted lists, per party, its validators on chain whose vote has not landed.
	NotVoted map[string][]string `json:"notVoted,omitempty"`
}

// unknownParty groups validators on chain that the network does not name.
const unknownParty = "unknown"

// validatorReads lists, per party that has an RPC node, the first of them by name.
func validatorReads(network *model.Network) []Validators {
	var out []Validators
	byParty := network.NodesByParty()
	for _, party := range network.PartyNames() {
		for _, node := range byParty[party] {
			if node.Role == model.RoleRPC {
				out = append(out, Validators{Party: party, Cluster: node.Cluster, Node: node.Name, OnChain: []Member{}, Desired: []Member{}, Pending: []Change{}})
				break
			}
		}
	}
	return out
}

// readValidators fills v from its RPC node; a failure is reported in v.Error.
func readValidators(ctx context.Context, network *model.Network, v *Validators, opts Options) {
	if err := v.read(ctx, network, opts); err != nil {
		cluster := network.Clusters[v.Cluster]
		kubeContext, host := contextOf(cluster, opts), ""
		if config, err := restConfig(kubeContext, opts); err == nil {
			host = config.Host
		}
		_, v.Error = cause(err, cluster, kubeContext, host, opts)
		v.Proposals = nil
		return
	}
	if p := v.Proposals; p != nil && p.err != nil {
		cluster := network.Clusters[v.Cluster]
		kubeContext, host := contextOf(cluster, opts), ""
		if config, err := restConfig(kubeContext, opts); err == nil {
			host = config.Host
		}
		_, p.Error = cause(p.err, cluster, kubeContext, host, opts)
	}
}

func (v *Validators) read(ctx context.Context, network *model.Network, opts Options) error {
	node := network.Nodes[v.Node]
	rpc, err := newProxyRPC(network.Clusters[v.Cluster], network.Parties[v.Party].Namespace, node, opts)
	if err != nil {
		return err
	}
	prefix := strings.ToLower(besu.ConsensusAPI(network))
	var head hexUint
	if err := rpc.call(ctx, "eth_blockNumber", nil, &head); err != nil {
		return err
	}
	v.Block = uint64(head)
	epoch := uint64(network.Consensus.EpochLength)
	if epoch == 0 {
		epoch = 30000 // Besu's default epochlength (JsonBftConfigOptions)
	}
	v.EpochStart = v.Block - v.Block%epoch
	v.VotesFrom = v.EpochStart + 1
	if v.Block >= VoteWindow && v.Block-VoteWindow+1 > v.VotesFrom {
		v.VotesFrom, v.VotesPartial = v.Block-VoteWindow+1, true
	}
	var onChain []string
	var blocks []blockHeader
	var peers hexUint
	if err := rpc.batch(ctx, v.Block, v.VotesFrom, prefix, &onChain, &peers, &blocks); err != nil {
		return err
	}
	v.Peers = int(peers)
	if len(blocks) > 0 {
		v.BlockTime = time.Unix(int64(blocks[len(blocks)-1].Timestamp), 0).UTC().Format(time.RFC3339)
	}
	members := membersOf(network)
	var chain []common.Address
	for _, a := range onChain {
		chain = append(chain, common.HexToAddress(a))
		v.OnChain = append(v.OnChain, members.of(common.HexToAddress(a)))
	}
	desired := besu.Validators(network)
	for _, a := range desired {
		v.Desired = append(v.Desired, members.of(a))
	}
	t, err := replay(blocks)
	if err != nil {
		return err
	}
	v.compare(members, chain, desired, t)
	v.readProposals(ctx, rpc, prefix)
	return nil
}

// compare lists the changes from chain to desired with their votes, and the changes
// that have votes but are not wanted.
func (v *Validators) compare(members members, chain, desired []common.Address, t *tally) {
	wanted := map[common.Address]bool{}
	for _, a := range desired {
		if !slices.Contains(chain, a) {
			v.Pending = append(v.Pending, v.change(members, chain, t, a, true))
		}
		wanted[a] = true
	}
	for _, a := range chain {
		if !wanted[a] {
			v.Pending = append(v.Pending, v.change(members, chain, t, a, false))
		}
	}
	for _, add := range []bool{true, false} {
		subjects := t.remove
		if add {
			subjects = t.add
		}
		for _, a := range slices.SortedFunc(maps.Keys(subjects), compareAddress) {
			pending := slices.ContainsFunc(v.Pending, func(c Change) bool { return c.Add == add && common.HexToAddress(c.Address) == a })
			if len(subjects[a]) > 0 && !pending {
				c := v.change(members, chain, t, a, add)
				c.NotVoted = nil
				v.Unwanted = append(v.Unwanted, c)
			}
		}
	}
}

// change says how the vote to add (or remove) a stands after the blocks read.
func (v *Validators) change(members members, chain []common.Address, t *tally, a common.Address, add bool) Change {
	c := Change{Member: members.of(a), Add: add, Needed: besu.VotesNeeded(len(chain)), PassedAt: t.passedAt[a], Voted: []Member{}}
	voted := map[common.Address]bool{}
	for _, voter := range t.voters(a, add) {
		voted[voter] = true
		c.Voted = append(c.Voted, members.of(voter))
	}
	c.Votes = len(c.Voted)
	for _, validator := range chain {
		if voted[validator] {
			continue
		}
		m := members.of(validator)
		party, name := m.Party, m.Node
		if party == "" {
			party, name = unknownParty, m.Address
		}
		if c.NotVoted == nil {
			c.NotVoted = map[string][]string{}
		}
		c.NotVoted[party] = append(c.NotVoted[party], name)
	}
	for _, names := range c.NotVoted {
		slices.Sort(names)
	}
	return c
}

// replay counts the votes of the blocks read, starting from the validators in the
// first block's header (those after its parent).
func replay(blocks []blockHeader) (*tally, error) {
	if len(blocks) == 0 {
		return newTally(nil), nil
	}
	var t *tally
	for _, b := range blocks {
		validators, vote, err := decodeExtraData(b.ExtraData)
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", uint64(b.Number), err)
		}
		if t == nil {
			t = newTally(validators)
		}
		if vote != nil {
			t.count(uint64(b.Number), common.HexToAddress(b.Miner), *vote)
		}
	}
	return t, nil
}

// members names the network's node addresses.
type members map[common.Address]Member

func membersOf(network *model.Network) members {
	out := members{}
	for name, node := range network.Nodes {
		a := common.HexToAddress(network.Identities[name].Address)
		out[a] = Member{Address: strings.ToLower(a.Hex()), Node: name, Party: node.Party}
	}
	return out
}

func (m members) of(a common.Address) Member {
	if known, ok := m[a]; ok {
		return known
	}
	return Member{Address: strings.ToLower(a.Hex())}
}
