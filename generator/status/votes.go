package status

import (
	"fmt"
	"maps"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/flux-ledger/flux-ledger/generator/render/besu"
)

// blockVote is the validator vote a block header carries, if any.
type blockVote struct {
	recipient common.Address
	add       bool
}

// bftExtraData is a QBFT or IBFT 2.0 header's extraData: RLP([vanity, validators, vote,
// round, seals]) (Besu 24.12.2 consensus/qbft/.../QbftExtraDataCodec.java,
// consensus/ibft/.../IbftExtraDataCodec.java). The vote and round are kept raw: the two
// codecs write them differently.
type bftExtraData struct {
	Vanity     []byte
	Validators []common.Address
	Vote       rlp.RawValue
	Round      rlp.RawValue
	Seals      [][]byte
	Rest       []rlp.RawValue `rlp:"tail"`
}

// decodeExtraData reads a header's validators and vote. No vote is an empty list in
// QBFT and an empty string in IBFT 2.0; a vote is [recipient, kind] where kind is ff to
// add, and to remove an empty string (QBFT, writeNull) or 00 (IBFT 2.0, writeByte) —
// one reader serves both.
func decodeExtraData(data []byte) ([]common.Address, *blockVote, error) {
	var e bftExtraData
	if err := rlp.DecodeBytes(data, &e); err != nil {
		return nil, nil, fmt.Errorf("extraData: %w", err)
	}
	kind, content, _, err := rlp.Split(e.Vote)
	if err != nil {
		return nil, nil, fmt.Errorf("extraData vote: %w", err)
	}
	if len(content) == 0 {
		return e.Validators, nil, nil
	}
	if kind != rlp.List {
		return nil, nil, fmt.Errorf("extraData vote is not a list")
	}
	var v struct {
		Recipient common.Address
		Kind      []byte
	}
	if err := rlp.DecodeBytes(e.Vote, &v); err != nil {
		return nil, nil, fmt.Errorf("extraData vote: %w", err)
	}
	switch {
	case len(v.Kind) == 1 && v.Kind[0] == 0xff:
		return e.Validators, &blockVote{v.Recipient, true}, nil
	case len(v.Kind) == 0 || (len(v.Kind) == 1 && v.Kind[0] == 0x00):
		return e.Validators, &blockVote{v.Recipient, false}, nil
	}
	return nil, nil, fmt.Errorf("extraData vote kind %x is neither add nor remove", v.Kind)
}

// tally replays the votes of a run of blocks as Besu 24.12.2 consensus/common/.../
// validator/blockbased/VoteTally.java counts them: each block's vote is its proposer's
// (the header's coinbase, BftBlockInterface.getProposerOfBlock); a vote replaces the
// proposer's opposite vote on the same subject; a change passes with ⌊n/2⌋+1 votes of
// the n current validators and then its outstanding votes are dropped (and a removed
// validator's own votes with it). The run must not cross an epoch block, where Besu
// starts over (VoteTallyCache.getValidatorsAfter).
type tally struct {
	validators map[common.Address]bool
	add        map[common.Address]map[common.Address]bool
	remove     map[common.Address]map[common.Address]bool
	passedAt   map[common.Address]uint64 // the block whose vote passed a change
}

func newTally(validators []common.Address) *tally {
	t := &tally{validators: map[common.Address]bool{}, add: map[common.Address]map[common.Address]bool{},
		remove: map[common.Address]map[common.Address]bool{}, passedAt: map[common.Address]uint64{}}
	for _, v := range validators {
		t.validators[v] = true
	}
	return t
}

// needed is how many votes pass a change now.
func (t *tally) needed() int { return besu.VotesNeeded(len(t.validators)) }

func (t *tally) count(block uint64, proposer common.Address, v blockVote) {
	side := func(m map[common.Address]map[common.Address]bool) map[common.Address]bool {
		if m[v.recipient] == nil {
			m[v.recipient] = map[common.Address]bool{}
		}
		return m[v.recipient]
	}
	add, remove := side(t.add), side(t.remove)
	if v.add {
		add[proposer] = true
		delete(remove, proposer)
	} else {
		remove[proposer] = true
		delete(add, proposer)
	}
	limit := t.needed()
	if len(add) >= limit {
		t.validators[v.recipient] = true
	}
	if len(remove) >= limit {
		delete(t.validators, v.recipient)
		for _, m := range []map[common.Address]map[common.Address]bool{t.add, t.remove} {
			for _, voters := range m {
				delete(voters, v.recipient)
			}
		}
	}
	if len(add) >= limit || len(remove) >= limit {
		delete(t.add, v.recipient)
		delete(t.remove, v.recipient)
		t.passedAt[v.recipient] = block
	}
}

// voters lists who has voted, in the run, for the change add (or remove) subject.
func (t *tally) voters(subject common.Address, add bool) []common.Address {
	m := t.remove
	if add {
		m = t.add
	}
	return slices.SortedFunc(maps.Keys(m[subject]), compareAddress)
}

func compareAddress(a, b common.Address) int { return a.Cmp(b) }
