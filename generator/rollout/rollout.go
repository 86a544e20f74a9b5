// Package rollout keeps a change that restarts Besu validators within what the chain
// survives. QBFT and IBFT 2.0 make progress while ⌈2n/3⌉ validators are up
// (BftHelpers), so at most f = ⌊(n−1)/3⌋ may be down at once. Every party's cluster
// reconciles on its own, and each validator is its own StatefulSet: the validators a
// change restarts in one party all go down together, as soon as that party's Flux
// applies it. So one change may restart at most f validators of the network and at
// most one per party; a larger change goes in waves, one pull request each, the next
// merged once `flux-ledger status` shows the previous wave's validators back.
//
// A transition is the one change that must restart every node (Besu reads the genesis
// config once per process); Stage holds all but the next wave of it in
// cue/rollout.cue.
package rollout

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
)

// Restart is one node whose pod a change replaces.
type Restart struct {
	Node      string `json:"node"`
	Party     string `json:"party"`
	Validator bool   `json:"validator"`
}

// Restarts is what a change from base to head restarts, against what the chain
// tolerates.
type Restarts struct {
	Nodes []Restart `json:"nodes"`
	// OnChain is how many validators run consensus before the change, and Limit the
	// f of that many: how many may be down at once.
	OnChain int `json:"onChainValidators"`
	Limit   int `json:"limit"`
	// Waves are the validators grouped so that each group stays within the limit, one
	// per party: the pull requests a change that is too large for one is split into.
	Waves [][]string `json:"waves,omitempty"`
}

// Compute lists the nodes whose pods a change restarts and checks the validators among
// them against f. Only a ledger whose validators restart this way (platform.Restarts,
// Besu) has any, and only when base and head run the same one.
func Compute(base, head *model.Network) (*Restarts, error) {
	r := &Restarts{Nodes: []Restart{}}
	ledger, ok := restartsOf(base)
	if !ok || head.Platform != base.Platform {
		return r, nil
	}
	names, err := ledger.RestartedNodes(base, head)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		node := base.Nodes[name]
		r.Nodes = append(r.Nodes, Restart{Node: name, Party: node.Party, Validator: node.IsValidator()})
	}
	r.OnChain = onChain(base)
	r.Limit = ledger.FaultTolerance(r.OnChain)
	r.Waves = Waves(r.Validators(), r.Limit)
	return r, nil
}

// WavesToRestartAll is how many waves restarting every validator of n takes: what a
// transition needs before its block.
func WavesToRestartAll(n *model.Network) int {
	var all []Restart
	for _, name := range n.NodeNames() {
		if node := n.Nodes[name]; node.IsValidator() {
			all = append(all, Restart{Node: name, Party: node.Party, Validator: true})
		}
	}
	ledger, ok := restartsOf(n)
	if !ok {
		return 0 // no validator restarts: nothing to wait for
	}
	return len(Waves(all, ledger.FaultTolerance(onChain(n))))
}

// restartsOf is n's ledger when its validators restart pod by pod.
func restartsOf(n *model.Network) (platform.Restarts, bool) {
	ledger, ok := render.Platforms[n.Platform].(platform.Restarts)
	return ledger, ok
}

// onChain is the number of validators running consensus: the recorded on-chain set of
// a launched network, otherwise the nodes with role validator.
func onChain(n *model.Network) int {
	if n.Launched && len(n.Governance.OnChain) > 0 {
		return len(n.Governance.OnChain)
	}
	return n.Validators()
}

// Validators are the restarted validators.
func (r *Restarts) Validators() []Restart {
	var out []Restart
	for _, n := range r.Nodes {
		if n.Validator {
			out = append(out, n)
		}
	}
	return out
}

// Safe is whether the change may go in one piece: at most one validator per party and
// at most Limit in all.
func (r *Restarts) Safe() bool { return len(r.Waves) <= 1 }

// Waves groups validators into the fewest waves of at most limit validators, at most
// one per party: each wave takes one validator from each of the parties with the most
// left (ties by party name), so the count is the larger of ⌈validators/limit⌉ and the
// most validators any one party restarts. A limit below 1 (a network of fewer than
// four validators tolerates no fault) still moves one validator per wave.
func Waves(validators []Restart, limit int) [][]string {
	limit = max(limit, 1)
	left := map[string][]string{}
	for _, v := range validators {
		left[v.Party] = append(left[v.Party], v.Node)
	}
	for _, nodes := range left {
		slices.Sort(nodes)
	}
	var waves [][]string
	for len(left) > 0 {
		parties := make([]string, 0, len(left))
		for p := range left {
			parties = append(parties, p)
		}
		slices.SortFunc(parties, func(a, b string) int {
			return cmp.Or(cmp.Compare(len(left[b]), len(left[a])), cmp.Compare(a, b))
		})
		var wave []string
		for _, p := range parties[:min(limit, len(parties))] {
			wave = append(wave, left[p][0])
			if left[p] = left[p][1:]; len(left[p]) == 0 {
				delete(left, p)
			}
		}
		slices.Sort(wave)
		waves = append(waves, wave)
	}
	return waves
}

// Summary is the restarted validators as "party (n): node, node" groups.
func (r *Restarts) Summary() string {
	byParty := map[string][]string{}
	var parties []string
	for _, v := range r.Validators() {
		if _, ok := byParty[v.Party]; !ok {
			parties = append(parties, v.Party)
		}
		byParty[v.Party] = append(byParty[v.Party], v.Node)
	}
	slices.Sort(parties)
	groups := make([]string, len(parties))
	for i, p := range parties {
		groups[i] = fmt.Sprintf("%s (%d): %s", p, len(byParty[p]), strings.Join(byParty[p], ", "))
	}
	return strings.Join(groups, "; ")
}

// WavesText numbers the waves: "(1) a, b; (2) c".
func (r *Restarts) WavesText() string {
	parts := make([]string, len(r.Waves))
	for i, w := range r.Waves {
		parts[i] = fmt.Sprintf("(%d) %s", i+1, strings.Join(w, ", "))
	}
	return strings.Join(parts, "; ")
}
