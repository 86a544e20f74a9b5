package load

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Explainers of the rules that govern a launched network's validators
// (cue/schema/governance.cue).

// desiredValidators maps the validator nodes that have an identity to their address,
// as governance.cue's hidden _desiredValidators does.
func (n network) desiredValidators() map[string]string {
	desired := map[string]string{}
	for _, node := range n.keys("nodes") {
		if address := n.str("identities", node, "address"); n.str("nodes", node, "role") == "validator" && address != "" {
			desired[node] = address
		}
	}
	return desired
}

// pendingChanges computes what governance.cue's hidden _validatorAdds and
// _validatorRemovals hold, from the concrete parts of the network.
func (n network) pendingChanges() (adds, removals []string) {
	desired := n.desiredValidators()
	onChain := map[string]string{}
	for _, node := range n.keys("governance", "onChain") {
		onChain[node] = n.str("governance", "onChain", node)
	}
	for node, address := range desired {
		if onChain[node] != address {
			adds = append(adds, node)
		}
	}
	for node, address := range onChain {
		if desired[node] != address {
			removals = append(removals, node)
		}
	}
	slices.Sort(adds)
	slices.Sort(removals)
	return adds, removals
}

func explainOneValidatorChange(n network, _ string, i Issue) (Issue, bool) {
	adds, removals := n.pendingChanges()
	var parts []string
	if len(removals) > 0 {
		parts = append(parts, "removes "+strings.Join(removals, ", "))
	}
	if len(adds) > 0 {
		parts = append(parts, "adds "+strings.Join(adds, ", "))
	}
	if len(parts) == 0 {
		return i, false
	}
	return n.at(i, fmt.Sprintf("the validators change by one at a time on a launched network, but against governance.onChain this %s: one change per pull request (a key rotation is the old key out, then the new one in)",
		strings.Join(parts, " and ")), "nodes"), true
}

func explainOnChainValidatorNode(n network, node string, i Issue) (Issue, bool) {
	return n.at(i, fmt.Sprintf("node %s is still a validator on chain (governance.onChain, cue/validators.cue): vote it out first (role: \"member\"), record it gone once the chain shows it, then remove the node",
		node), "governance", "onChain", node), true
}

func explainTransitionScheduled(n network, _ string, i Issue) (Issue, bool) {
	return n.at(i, "the pending validator change goes by transition (governance.method), but governance.transitions is empty: add {block: <first block of the new set>, validators: [<desired addresses, ascending>]}",
		"governance", "method"), true
}

func explainTransitionValidators(n network, _ string, i Issue) (Issue, bool) {
	desired := slices.Sorted(maps.Values(n.desiredValidators()))
	return n.at(i, fmt.Sprintf("the last governance.transitions entry must list the desired validators, ascending: [%s]",
		strings.Join(desired, ", ")), "governance", "transitions"), true
}

func explainTransitionsAscend(n network, _ string, i Issue) (Issue, bool) {
	return n.at(i, "governance.transitions must be in ascending block order: Besu applies each from its block on, and a syncing node replays them all",
		"governance", "transitions"), true
}

// explainFrozenGenesis covers launched: true without the record launch writes.
func explainFrozenGenesis(n network, _ string, i Issue) (Issue, bool) {
	if !strings.Contains(i.Message, "incomplete") {
		return i, false
	}
	return n.at(i, "the network is launched but its genesis is not recorded (cue/genesis.cue): remove launched: true and run flux-ledger launch, which records the genesis and sets it",
		"launched"), true
}

func explainTransitionBlockOnce(n network, block string, i Issue) (Issue, bool) {
	return n.at(i, fmt.Sprintf("governance.transitions has two entries at block %s: Besu refuses duplicate transitions at start-up (ForksScheduleFactory), so every node that restarts would stop; give each its own block", block),
		"governance", "transitions"), true
}

func explainTransitionValidatorsAscend(n network, index string, i Issue) (Issue, bool) {
	return n.at(i, fmt.Sprintf("governance.transitions[%s].validators must be ascending, as the validators of extraData are", index),
		"governance", "transitions"), true
}

func explainTransitionValidatorOnce(n network, index string, i Issue) (Issue, bool) {
	address := addressPattern.FindString(i.Path)
	return n.at(i, fmt.Sprintf("governance.transitions[%s] lists %s more than once: a transition names each validator once", index, address),
		"governance", "transitions"), true
}

var addressPattern = regexp.MustCompile(`0x[0-9a-f]{40}`)

func explainRestartHeldNode(n network, node string, i Issue) (Issue, bool) {
	return n.at(i, fmt.Sprintf("governance.restartHeld holds node %s, which the network does not have: cue/rollout.cue is written by flux-ledger rollout, run it again", node),
		"governance", "restartHeld", node), true
}

func explainRestartHeldBehind(n network, node string, i Issue) (Issue, bool) {
	count, _ := n.lookup("governance", "transitions").Len().Int64()
	return n.at(i, fmt.Sprintf("governance.restartHeld holds node %s at %v transitions, but a held node runs fewer than the %d scheduled: cue/rollout.cue is written by flux-ledger rollout, run it again",
		node, n.lookup("governance", "restartHeld", node), count), "governance", "restartHeld", node), true
}
