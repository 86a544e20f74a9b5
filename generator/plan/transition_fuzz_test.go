package plan_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/launch/launchtest"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/plan"
)

// FuzzTransition schedules a transition from arbitrary bytes — addresses picked from
// the desired validators and strangers, in any order and count, at any block — and
// checks that plan accepts it exactly when it lists the desired validators at a block
// that leaves the restart margin, and never panics.
func FuzzTransition(f *testing.F) {
	repo := launchtest.Repo(f)
	base := loadNetwork(f, filepath.Join(repo, "cue"))
	base.Governance.Height = 1000
	var pool []string
	for _, a := range base.DesiredValidators() {
		pool = append(pool, a)
	}
	slices.Sort(pool)
	desired := slices.Clone(pool)
	pool = append(pool, "0x1111111111111111111111111111111111111111", "0x2222222222222222222222222222222222222222")
	const earliest = 1000 + 4*24*60*60/2 // four waves of a day, 2 s blocks
	f.Add([]byte{0, 1, 2, 3}, uint64(earliest))
	f.Add([]byte{0, 0, 0, 0}, uint64(earliest))
	f.Add([]byte{4, 1, 2, 3}, uint64(earliest))
	f.Add([]byte{0, 1, 2, 3}, uint64(earliest-1))
	f.Add([]byte{3, 2, 1, 0}, uint64(1<<63))
	f.Fuzz(func(t *testing.T, picks []byte, block uint64) {
		if len(picks) > 16 {
			return
		}
		var validators []string
		for _, b := range picks {
			validators = append(validators, pool[int(b)%len(pool)])
		}
		head := *base
		head.Governance.Transitions = []model.ValidatorTransition{{Block: block, Validators: validators}}
		p, err := plan.Compute("base", base, &head)
		if err != nil {
			t.Fatal(err)
		}
		sound := slices.Equal(validators, desired) && block >= earliest
		refused := false
		for _, r := range p.Refused {
			refused = refused || strings.Contains(r, "governance.transitions[") || strings.Contains(r, "a transition at block")
		}
		if refused == sound {
			t.Errorf("transition %v at block %d: refused = %v, want %v (%v)", validators, block, refused, !sound, p.Refused)
		}
	})
}
