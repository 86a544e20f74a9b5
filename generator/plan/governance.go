package plan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
)

// GovernanceStep is a validator change a launched network has pending at head, and
// how it is carried out.
type GovernanceStep struct {
	Change model.ValidatorChange `json:"change"`
	Method string                `json:"method"` // vote or transition
	// For a vote: the JSON-RPC method, the parties whose validators are on chain (the
	// only votes Besu counts) and how many votes pass it.
	RPCMethod   string       `json:"rpcMethod,omitempty"`
	Voters      []PartyVotes `json:"voters,omitempty"`
	VotesNeeded int          `json:"votesNeeded,omitempty"`
	OnChain     int          `json:"onChainValidators"`
	// For a transition: the block the new validators apply from.
	Block uint64 `json:"block,omitempty"`
}

// PartyVotes is how many of a party's validators can vote.
type PartyVotes struct {
	Party      string `json:"party"`
	Validators int    `json:"validators"`
}

// String is the step as one line for a reviewer.
func (s GovernanceStep) String() string {
	verb, to := "remove", "false"
	if s.Change.Add {
		verb, to = "add", "true"
	}
	subject := fmt.Sprintf("%s validator %s (party %s, %s)", verb, s.Change.Node, partyOrGone(s.Change.Party), s.Change.Address)
	if s.Method == model.MethodTransition {
		return fmt.Sprintf("%s by transition at block %d: every node restarts, in waves of at most f validators (flux-ledger rollout), with the new genesis config and must run it before block %d (flux-ledger status shows the chain's height)",
			subject, s.Block, s.Block)
	}
	var voters []string
	for _, v := range s.Voters {
		voters = append(voters, fmt.Sprintf("%s (%d)", v.Party, v.Validators))
	}
	return fmt.Sprintf("%s by vote: %s(%q, %s) from each party's validators, cast by its validator-vote sidecar; passes with %d of the %d validators on chain: %s",
		subject, s.RPCMethod, s.Change.Address, to, s.VotesNeeded, s.OnChain, strings.Join(voters, ", "))
}

func partyOrGone(party string) string {
	if party == "" {
		return "node removed"
	}
	return party
}

// governance adds head's pending validator changes, and refuses what would rewrite
// a launched network's history: its frozen genesis, or a scheduled transition.
func (p *Plan) governance(base, head *model.Network) error {
	ledger, err := render.PlatformOf(head)
	if err != nil {
		return err
	}
	if base.Genesis.Frozen != nil && !sameFrozen(base.Genesis.Frozen, head.Genesis.Frozen) {
		p.Refused = append(p.Refused, "the frozen genesis (cue/genesis.cue) changes: a launched network's block 0 never changes")
	}
	if n := len(base.Governance.Transitions); n > 0 && (len(head.Governance.Transitions) < n ||
		!slices.EqualFunc(base.Governance.Transitions, head.Governance.Transitions[:n], sameTransition)) {
		p.Refused = append(p.Refused, "governance.transitions may only grow: a scheduled transition stays in every node's genesis config, and a syncing node replays it")
	}
	if !base.Launched && head.Launched {
		p.Consequences = append(p.Consequences, ledger.LaunchMeaning(head))
	}
	if base.Launched && base.Consensus != head.Consensus {
		p.Refused = append(p.Refused, "consensus changes, but the network is launched: its consensus settings are in the frozen genesis config, which the nodes keep running")
	}
	if base.Launched && !maps.Equal(base.Governance.OnChain, head.Governance.OnChain) {
		p.Consequences = append(p.Consequences, "governance.onChain records a new on-chain validator set: approve only once flux-ledger status shows the chain has it")
	}
	onChain := len(head.Governance.OnChain)
	voters := map[string]int{}
	for name := range head.Governance.OnChain {
		party := head.Nodes[name].Party
		if party == "" {
			party = base.Nodes[name].Party
		}
		voters[party]++
	}
	for _, change := range head.PendingValidatorChanges() {
		step := GovernanceStep{Change: change, Method: head.Governance.Method, OnChain: onChain}
		if step.Method == model.MethodTransition {
			if t := head.Governance.Transitions; len(t) > 0 {
				step.Block = t[len(t)-1].Block
			}
		} else if validators, ok := ledger.(platform.Validators); ok {
			step.RPCMethod = validators.VoteMethod(head.Consensus.Algorithm)
			step.VotesNeeded = validators.VotesNeeded(onChain)
			for _, party := range sortedKeys(voters) {
				step.Voters = append(step.Voters, PartyVotes{Party: party, Validators: voters[party]})
			}
		}
		p.Governance = append(p.Governance, step)
	}
	return nil
}

func sameFrozen(a, b *model.FrozenGenesis) bool {
	return b != nil && a.JSON == b.JSON && maps.Equal(a.Validators, b.Validators)
}

func sameTransition(a, b model.ValidatorTransition) bool {
	return a.Block == b.Block && slices.Equal(a.Validators, b.Validators)
}

// nodesChangingHands refuses a node that moves into another party's cluster: its
// private key is sealed to its party alone and its public identity is that party's,
// so under the new party it could only start with a key the old party holds. The
// honest move is a new node of the new party, and the old one removed.
func (p *Plan) nodesChangingHands(base, head *model.Network) {
	for _, name := range head.NodeNames() {
		was, ok := base.Nodes[name]
		if now := head.Nodes[name]; ok && was.Party != now.Party {
			p.Refused = append(p.Refused, fmt.Sprintf("node %s moves from party %s to party %s (cluster %s): a node's key is sealed to its own party and its identity is that party's; remove %s and add a new node in %s's cluster (flux-ledger keys init --party %s)",
				name, was.Party, now.Party, now.Cluster, name, now.Party, now.Party))
		}
	}
}
