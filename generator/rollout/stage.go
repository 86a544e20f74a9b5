package rollout

import (
	"fmt"
	"maps"
	"slices"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
)

// Wave is the next step of a transition's rollout: the nodes it restarts, and the
// restarts it keeps held for later waves.
type Wave struct {
	// Restart are the nodes this wave restarts: every member and RPC node still behind
	// (they do not vote), and the first wave of validators.
	Restart []string `json:"restart"`
	// Held maps each node left for a later wave to the transitions it runs now: the
	// governance.restartHeld this wave records.
	Held map[string]int `json:"held"`
	// WavesLeft counts the waves after this one.
	WavesLeft int `json:"wavesLeft"`
	// Deadline is the block every node must run the last transition before.
	Deadline uint64 `json:"deadline"`
}

// Stage computes the next wave of the restarts head's transitions need, given base as
// merged (with its own holds): every node whose running process has fewer transitions
// than head's is behind. A node new in head starts with all of them. It refuses a
// network whose nodes do not restart for a transition (not a platform.Restarts, as
// Besu is) or that has nothing behind.
func Stage(base, head *model.Network) (*Wave, error) {
	ledger, ok := restartsOf(head)
	if !ok {
		return nil, fmt.Errorf("network %s runs %s: only %s nodes restart for a transition", head.Name, head.Platform, render.Offering[platform.Restarts]())
	}
	target := len(head.Governance.Transitions)
	behind := map[string]int{}
	var validators []Restart
	for _, name := range head.NodeNames() {
		if _, ok := base.Nodes[name]; !ok {
			continue
		}
		if running := base.TransitionsRunBy(name); running < target {
			behind[name] = running
			if node := head.Nodes[name]; node.IsValidator() && base.Nodes[name].IsValidator() {
				validators = append(validators, Restart{Node: name, Party: node.Party, Validator: true})
			}
		}
	}
	if len(behind) == 0 {
		return nil, fmt.Errorf("every node of network %s already runs its %d transitions: no restart to stage", head.Name, target)
	}
	waves := Waves(validators, ledger.FaultTolerance(onChain(base)))
	wave := &Wave{Held: map[string]int{}, Deadline: head.Governance.Transitions[target-1].Block}
	next := map[string]bool{}
	if len(waves) > 0 {
		for _, name := range waves[0] {
			next[name] = true
		}
		wave.WavesLeft = len(waves) - 1
	}
	for _, name := range slices.Sorted(maps.Keys(behind)) {
		node := head.Nodes[name]
		if node.IsValidator() && base.Nodes[name].IsValidator() && !next[name] {
			wave.Held[name] = behind[name]
		} else {
			wave.Restart = append(wave.Restart, name)
		}
	}
	return wave, nil
}
