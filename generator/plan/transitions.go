package plan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/rollout"
)

// WaveSeconds is the time a transition leaves for each wave of restarts: a pull
// request every party approves, every cluster's Flux applying it, the restarted
// validators back and in sync, and the next wave's pull request. A day each.
const WaveSeconds = 24 * 60 * 60

// transitions refuses a transition added since base that could take the chain: one
// whose validators are not exactly the desired validator nodes (a party listing its own
// address four times, or addresses no node has), or whose block does not leave time to
// restart every node in waves after the chain height last recorded.
func (p *Plan) transitions(base, head *model.Network) {
	added := head.Governance.Transitions
	if n := len(base.Governance.Transitions); n <= len(added) {
		added = added[n:]
	}
	if len(added) == 0 || !head.Launched {
		return
	}
	desired := slices.Sorted(maps.Values(head.DesiredValidators()))
	owner := map[string]string{}
	for name, id := range head.Identities {
		owner[strings.ToLower(id.Address)] = name
	}
	first := len(head.Governance.Transitions) - len(added)
	for i, t := range added {
		if !slices.Equal(t.Validators, desired) {
			var strangers []string
			for _, a := range t.Validators {
				if node, ok := owner[strings.ToLower(a)]; !ok || !head.Nodes[node].IsValidator() {
					strangers = append(strangers, a)
				}
			}
			why := "not the desired validators"
			if len(strangers) > 0 {
				why = "addresses of no validator node: " + strings.Join(strangers, ", ")
			}
			p.Refused = append(p.Refused, fmt.Sprintf("governance.transitions[%d] (block %d) lists %s; a transition sets the validators to the nodes with role validator, each rule of the validators applying: [%s]",
				first+i, t.Block, why, strings.Join(desired, ", ")))
		}
	}
	last := added[len(added)-1].Block
	height := head.Governance.Height
	if height == 0 {
		p.Refused = append(p.Refused, fmt.Sprintf("a transition at block %d, but the chain's height is not recorded: read it off flux-ledger status and record it with flux-ledger validators record --height N, so that plan can tell whether the block leaves time to restart every node", last))
		return
	}
	waves := rollout.WavesToRestartAll(base)
	margin := uint64(waves * WaveSeconds / max(head.Consensus.BlockPeriodSeconds, 1))
	if last < height+margin {
		p.Refused = append(p.Refused, fmt.Sprintf("a transition at block %d is too close: the chain was at block %d when recorded, and every node must restart with it first, in %d waves of at most f validators (a day each at %d s a block: %d blocks): schedule it at block %d or later",
			last, height, waves, head.Consensus.BlockPeriodSeconds, margin, height+margin))
	}
}
