package besurpc

import (
	"maps"
	"slices"

	"github.com/ethereum/go-ethereum/common"
)

// tally is Besu 24.12.2 consensus/common/.../validator/blockbased/VoteTally.java: the
// current validators and, per subject, who voted to add and who voted to remove it.
type tally struct {
	validators map[common.Address]bool
	add        map[common.Address]map[common.Address]bool
	remove     map[common.Address]map[common.Address]bool
}

func newTally(validators []common.Address) *tally {
	t := &tally{validators: map[common.Address]bool{}, add: map[common.Address]map[common.Address]bool{}, remove: map[common.Address]map[common.Address]bool{}}
	for _, v := range validators {
		t.validators[v] = true
	}
	return t
}

func (t *tally) copy() *tally {
	out := newTally(t.sorted())
	for subject, voters := range t.add {
		out.add[subject] = maps.Clone(voters)
	}
	for subject, voters := range t.remove {
		out.remove[subject] = maps.Clone(voters)
	}
	return out
}

func (t *tally) sorted() []common.Address {
	return sorted(slices.Collect(maps.Keys(t.validators)))
}

func voters(m map[common.Address]map[common.Address]bool, subject common.Address) map[common.Address]bool {
	if m[subject] == nil {
		m[subject] = map[common.Address]bool{}
	}
	return m[subject]
}

// addVote is VoteTally.addVote: a proposer's vote replaces its opposite vote on the
// same subject; a change passes when its voters reach ⌊n/2⌋+1 of the current
// validators (validatorLimit), and then every outstanding vote on the subject is
// dropped, and a removed validator's own votes on every subject with it.
func (t *tally) addVote(proposer common.Address, v Vote) {
	add, remove := voters(t.add, v.Recipient), voters(t.remove, v.Recipient)
	if v.Add {
		add[proposer] = true
		delete(remove, proposer)
	} else {
		remove[proposer] = true
		delete(add, proposer)
	}
	limit := len(t.validators)/2 + 1
	if len(add) >= limit {
		t.validators[v.Recipient] = true
		delete(t.add, v.Recipient)
		delete(t.remove, v.Recipient)
	}
	if len(remove) >= limit {
		delete(t.validators, v.Recipient)
		delete(t.add, v.Recipient)
		delete(t.remove, v.Recipient)
		for _, m := range []map[common.Address]map[common.Address]bool{t.add, t.remove} {
			for _, voters := range m {
				delete(voters, v.Recipient)
			}
		}
	}
}

// notYetCast is VoteProposer.voteNotYetCast (Besu 24.12.2 consensus/common/.../
// validator/blockbased/VoteProposer.java): a pending vote goes into a block only if it
// would change something — remove a validator this node has not voted to remove yet,
// add a non-validator it has not voted to add yet, or reverse its own earlier vote. So
// a vote to add a validator (or remove a non-validator) stays pending and never lands.
func (t *tally) notYetCast(local, subject common.Address, add bool) bool {
	votedAdd := t.add[subject][local]
	votedRemove := t.remove[subject][local]
	isValidator := t.validators[subject]
	switch {
	case !add && isValidator && !votedRemove:
		return true
	case !add && votedAdd:
		return true
	case add && !isValidator && !votedAdd:
		return true
	case add && votedRemove:
		return true
	}
	return false
}
