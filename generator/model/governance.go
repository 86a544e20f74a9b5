package model

import (
	"maps"
	"slices"
	"strings"
)

// FrozenGenesis is a launched chain's block 0 as recorded by `flux-ledger launch`: the
// genesis file byte for byte, and its validators by node name.
type FrozenGenesis struct {
	JSON       string            `json:"json"`
	Validators map[string]string `json:"validators"`
}

// Methods that carry out a validator change.
const (
	MethodVote       = "vote"
	MethodTransition = "transition"
)

// Governance is how a launched network's validators change: the set the chain has now,
// and how the difference to the desired set (the nodes with role validator) is made.
type Governance struct {
	// OnChain maps node names to addresses: the chain's validators as last confirmed.
	OnChain     map[string]string     `json:"onChain,omitempty"`
	Method      string                `json:"method"`
	Transitions []ValidatorTransition `json:"transitions"`
	// RestartHeld stages the restarts a new transition needs (cue/rollout.cue, written
	// by `flux-ledger rollout`): for each node not restarted yet, how many of the
	// transitions its running process was started with.
	RestartHeld map[string]int `json:"restartHeld,omitempty"`
	// Height is the chain's block height when last recorded.
	Height uint64 `json:"height,omitempty"`
}

// TransitionsRunBy is how many of the transitions the node's pod is started with: all
// of them, unless the node's restart is held for a later wave. Besu reads the genesis
// config once per process (BesuCommand), so a node learns a transition only by
// restarting.
func (n *Network) TransitionsRunBy(node string) int {
	if k, held := n.Governance.RestartHeld[node]; held {
		return k
	}
	return len(n.Governance.Transitions)
}

// ValidatorTransition is a Besu transitions entry: the validators from a block on.
type ValidatorTransition struct {
	Block      uint64   `json:"block"`
	Validators []string `json:"validators"`
}

// ValidatorChange is one validator joining or leaving the chain.
type ValidatorChange struct {
	Node    string `json:"node"`
	Party   string `json:"party"`
	Address string `json:"address"`
	Add     bool   `json:"add"`
}

// DesiredValidators maps every validator node with an identity to its address.
func (n *Network) DesiredValidators() map[string]string {
	desired := map[string]string{}
	for name, node := range n.Nodes {
		if id, ok := n.Identities[name]; ok && node.IsValidator() {
			desired[name] = strings.ToLower(id.Address)
		}
	}
	return desired
}

// PendingValidatorChanges is the difference between the chain's validators and the
// desired ones, removals first (a rotation is the old key out, then the new one in),
// each group by node name. Empty before launch: the genesis carries the validators.
func (n *Network) PendingValidatorChanges() []ValidatorChange {
	if !n.Launched {
		return nil
	}
	desired := n.DesiredValidators()
	var changes []ValidatorChange
	for _, name := range slices.Sorted(maps.Keys(n.Governance.OnChain)) {
		if address := n.Governance.OnChain[name]; desired[name] != address {
			changes = append(changes, ValidatorChange{Node: name, Party: n.partyOf(name), Address: address})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(desired)) {
		if address := desired[name]; n.Governance.OnChain[name] != address {
			changes = append(changes, ValidatorChange{Node: name, Party: n.partyOf(name), Address: address, Add: true})
		}
	}
	return changes
}

// partyOf names a node's party; a node already removed from the model has none.
func (n *Network) partyOf(node string) string { return n.Nodes[node].Party }
