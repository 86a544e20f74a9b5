package plan

import (
	"fmt"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/rollout"
)

// restarts says which nodes the change restarts, and refuses, on a launched network, a
// change that would take down more validators at once than the chain tolerates or more
// than one of a party's (its validators restart together). A transition adds when
// every node must run it by, and how many restarts are still held.
func (p *Plan) restarts(base, head *model.Network) error {
	r, err := rollout.Compute(base, head)
	if err != nil {
		return err
	}
	if len(r.Nodes) > 0 {
		p.Restarts = r
	}
	if validators := r.Validators(); len(validators) > 0 {
		p.Consequences = append(p.Consequences, fmt.Sprintf("restarts %d validators at once (f = %d of the %d on chain may be down): %s",
			len(validators), r.Limit, r.OnChain, r.Summary()))
	}
	if others := len(r.Nodes) - len(r.Validators()); others > 0 {
		p.Consequences = append(p.Consequences, fmt.Sprintf("restarts %d member and RPC nodes (they do not vote): %s", others, nonValidators(r)))
	}
	if base.Launched && !r.Safe() {
		how := "split it into one pull request per wave"
		if transitionsChanged(base, head) {
			how = "run flux-ledger rollout to hold all but the first wave (cue/rollout.cue), then once per wave"
		}
		p.Refused = append(p.Refused, fmt.Sprintf("the change restarts %d validators at once, but at most f = %d of the %d on chain may be down at once, and one per party: %s (%d waves), merging each once flux-ledger status shows the previous wave's validators back: %s",
			len(r.Validators()), r.Limit, r.OnChain, how, len(r.Waves), r.WavesText()))
	}
	if n := len(head.Governance.Transitions); n > 0 && transitionsChanged(base, head) {
		line := fmt.Sprintf("every node must run the genesis config with transition %d before block %d (Besu reads it only when it starts)", n, head.Governance.Transitions[n-1].Block)
		if held := len(head.Governance.RestartHeld); held > 0 {
			line += fmt.Sprintf(": %d nodes are still held for later waves (flux-ledger rollout releases the next)", held)
		}
		p.Consequences = append(p.Consequences, line)
	}
	return nil
}

// transitionsChanged is whether any node runs a different number of transitions.
func transitionsChanged(base, head *model.Network) bool {
	for name := range head.Nodes {
		if _, ok := base.Nodes[name]; ok && base.TransitionsRunBy(name) != head.TransitionsRunBy(name) {
			return true
		}
	}
	return false
}

func nonValidators(r *rollout.Restarts) string {
	var names []string
	for _, n := range r.Nodes {
		if !n.Validator {
			names = append(names, n.Node)
		}
	}
	return strings.Join(names, ", ")
}
