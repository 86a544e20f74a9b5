package plan_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/launch/launchtest"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// What one party could schedule in a transition to take the chain, each refused by
// plan with the reason. The base network: alpha and beta, two validators each (f = 1,
// four waves of restarts), blocks every 2 s (cue/schema/network.cue default), the
// chain's height recorded at 1,000.
func TestPlanRefusesTransitionsThatTakeTheChain(t *testing.T) {
	repo := launchtest.Repo(t)
	base := loadNetwork(t, filepath.Join(repo, "cue"))
	base.Governance.Height = 1000
	desired := slices.Sorted(func(yield func(string) bool) {
		for _, a := range base.DesiredValidators() {
			if !yield(a) {
				return
			}
		}
	})
	alphaV1 := base.DesiredValidators()["alpha-v1"]
	// Four waves of a day at 2 s a block: 172,800 blocks after the recorded height.
	const earliest = 1000 + 4*24*60*60/2
	for _, tc := range []struct {
		attack     string
		validators []string
		block      uint64
		height     uint64
		refusal    string
	}{
		{"one party's address four times", []string{alphaV1, alphaV1, alphaV1, alphaV1}, earliest, 1000, "lists not the desired validators"},
		{"addresses of no node", []string{"0x1111111111111111111111111111111111111111", "0x2222222222222222222222222222222222222222", "0x3333333333333333333333333333333333333333", alphaV1}, earliest, 1000, "addresses of no validator node: 0x1111111111111111111111111111111111111111, 0x2222222222222222222222222222222222222222, 0x3333333333333333333333333333333333333333"},
		{"a block already past", desired, 500, 1000, "is too close: the chain was at block 1000"},
		{"a block before the restarts can finish", desired, earliest - 1, 1000, "schedule it at block 173800 or later"},
		{"no recorded height", desired, earliest, 0, "the chain's height is not recorded"},
	} {
		t.Run(tc.attack, func(t *testing.T) {
			head := *base
			head.Governance.Height = tc.height
			head.Governance.Transitions = []model.ValidatorTransition{{Block: tc.block, Validators: tc.validators}}
			p := compute(t, base, &head)
			if !contains(p.Refused, tc.refusal) {
				t.Errorf("refused = %v, want %q", p.Refused, tc.refusal)
			}
		})
	}

	// The desired validators at the earliest block pass every transition rule (the
	// restarts are refused in one piece until flux-ledger rollout stages them).
	head := *base
	head.Governance.Transitions = []model.ValidatorTransition{{Block: earliest, Validators: desired}}
	for _, r := range compute(t, base, &head).Refused {
		if strings.Contains(r, "transition") && !strings.Contains(r, "validators at once") {
			t.Errorf("a sound transition is refused: %s", r)
		}
	}
}
