package plan_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/launch/launchtest"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/plan"
)

func compute(t *testing.T, base, head *model.Network) *plan.Plan {
	t.Helper()
	p, err := plan.Compute("base", base, head)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A validator joining by vote: one step naming the method of the network's algorithm,
// every party with validators on chain, and the votes that pass it. Besu 24.12.2:
// ethereum/api/.../jsonrpc/RpcMethod.java names QBFT_PROPOSE_VALIDATOR_VOTE
// "qbft_proposeValidatorVote" and IBFT_PROPOSE_VALIDATOR_VOTE
// "ibft_proposeValidatorVote"; consensus/common/.../blockbased/VoteTally.java passes a
// vote with validatorLimit() = currentValidators.size() / 2 + 1 votes (3 of 4).
func TestPlanShowsTheVoteOfAJoiningValidator(t *testing.T) {
	for _, tc := range []struct{ algorithm, method string }{
		{"qbft", "qbft_proposeValidatorVote"},
		{"ibft2", "ibft_proposeValidatorVote"},
	} {
		t.Run(tc.algorithm, func(t *testing.T) {
			repo := launchtest.Repo(t, [2]string{`consensus: algorithm: "qbft"`, `consensus: algorithm: "` + tc.algorithm + `"`})
			base := loadNetwork(t, filepath.Join(repo, "cue"))
			launchtest.JoinGamma(t, repo)
			head := loadNetwork(t, filepath.Join(repo, "cue"))

			p := compute(t, base, head)
			if len(p.Refused) > 0 {
				t.Fatalf("refused: %v", p.Refused)
			}
			if len(p.Governance) != 1 {
				t.Fatalf("governance steps = %+v, want one", p.Governance)
			}
			step := p.Governance[0]
			address := head.Identities["gamma-v1"].Address
			if !step.Change.Add || step.Change.Node != "gamma-v1" || step.Change.Address != address || step.Change.Party != "gamma" {
				t.Errorf("change = %+v", step.Change)
			}
			if step.Method != "vote" || step.RPCMethod != tc.method || step.VotesNeeded != 3 || step.OnChain != 4 {
				t.Errorf("step = %+v, want vote by %s needing 3 of 4", step, tc.method)
			}
			if len(step.Voters) != 2 || step.Voters[0] != (plan.PartyVotes{Party: "alpha", Validators: 2}) || step.Voters[1] != (plan.PartyVotes{Party: "beta", Validators: 2}) {
				t.Errorf("voters = %+v, want alpha (2), beta (2): gamma is not on chain yet", step.Voters)
			}
			if line := step.String(); !strings.Contains(line, tc.method+`("`+address+`", true)`) {
				t.Errorf("step line %q does not name the call", line)
			}
		})
	}
}

// What would rewrite a launched chain's history is refused: an edited genesis record,
// a transition taken back.
func TestPlanRefusesRewritingHistory(t *testing.T) {
	repo := launchtest.Repo(t)
	base := loadNetwork(t, filepath.Join(repo, "cue"))

	edited := *base
	frozen := *base.Genesis.Frozen
	frozen.JSON = strings.Replace(frozen.JSON, `"gasLimit"`, `"gasLimit" `, 1)
	edited.Genesis.Frozen = &frozen
	if p := compute(t, base, &edited); !contains(p.Refused, "frozen genesis (cue/genesis.cue) changes") {
		t.Errorf("edited genesis record: refused = %v", p.Refused)
	}

	scheduled := *base
	scheduled.Governance.Transitions = []model.ValidatorTransition{{Block: 100, Validators: []string{"0x01", "0x02", "0x03", "0x04"}}}
	if p := compute(t, &scheduled, base); !contains(p.Refused, "governance.transitions may only grow") {
		t.Errorf("transition removed: refused = %v", p.Refused)
	}
	if p := compute(t, base, &scheduled); contains(p.Refused, "may only grow") || contains(p.Refused, "genesis block would change") {
		t.Errorf("transition added: refused = %v", p.Refused)
	}

	// The consensus settings are in the frozen genesis config: a launched network
	// keeps running them whatever the model says, so a change is refused, not ignored.
	switched := *base
	switched.Consensus.Algorithm = model.IBFT2
	if p := compute(t, base, &switched); !contains(p.Refused, "consensus") {
		t.Errorf("consensus switched after launch: refused = %v", p.Refused)
	}
}

func contains(list []string, part string) bool {
	for _, s := range list {
		if strings.Contains(s, part) {
			return true
		}
	}
	return false
}
