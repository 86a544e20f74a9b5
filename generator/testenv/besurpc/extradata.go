package besurpc

import (
	"encoding/binary"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
)

// Vote bytes of Besu 24.12.2 consensus/common/.../bft/Vote.java.
const (
	addByte  = 0xff // ADD_BYTE_VALUE
	dropByte = 0x00 // DROP_BYTE_VALUE
)

// extraData is RLP([vanity, validators, vote, round, seals]) (BftExtraData). The vote
// and the round are raw because the two codecs write them differently.
type extraData struct {
	Vanity     [32]byte
	Validators []common.Address
	Vote       rlp.RawValue
	Round      rlp.RawValue
	Seals      [][]byte
}

type vote struct {
	Recipient common.Address
	Kind      []byte
}

// encodeExtraData writes a block's extraData the way Besu does, in round 0:
//
//   - QBFT (consensus/qbft/.../QbftExtraDataCodec.java encode): no vote is an empty
//     list (c0); a vote is [recipient, ff] to add, [recipient, ""] (writeNull, 80) to
//     remove; the round is a scalar (writeIntScalar: 0 is 80).
//   - IBFT 2.0 (consensus/ibft/.../IbftExtraDataCodec.java encode): no vote is an
//     empty string (writeNull, 80); a vote is [recipient, ff] or [recipient, 00]
//     (writeByte); the round is 4 bytes (writeInt: 84 00000000).
//
// The vanity is the 32 zero bytes of a node without --miner-extra-data
// (BftBlockCreatorFactory zero-pads it).
func encodeExtraData(algorithm string, validators []common.Address, v *Vote, seals [][]byte) []byte {
	return encodeExtra(algorithm, [32]byte{}, validators, v, 0, seals)
}

func encodeExtra(algorithm string, vanity [32]byte, validators []common.Address, v *Vote, round uint32, seals [][]byte) []byte {
	if seals == nil {
		seals = [][]byte{}
	}
	if validators == nil {
		validators = []common.Address{}
	}
	e := extraData{Vanity: vanity, Validators: validators, Seals: seals}
	must := func(b []byte, err error) rlp.RawValue {
		if err != nil {
			panic(err)
		}
		return b
	}
	switch {
	case v == nil && algorithm == QBFT:
		e.Vote = must(rlp.EncodeToBytes([]any{}))
	case v == nil:
		e.Vote = must(rlp.EncodeToBytes([]byte{}))
	case v.Add:
		e.Vote = must(rlp.EncodeToBytes(vote{v.Recipient, []byte{addByte}}))
	case algorithm == QBFT:
		e.Vote = must(rlp.EncodeToBytes(vote{v.Recipient, []byte{}}))
	default:
		e.Vote = must(rlp.EncodeToBytes(vote{v.Recipient, []byte{dropByte}}))
	}
	if algorithm == QBFT {
		e.Round = must(rlp.EncodeToBytes(uint64(round)))
	} else {
		e.Round = must(rlp.EncodeToBytes(binary.BigEndian.AppendUint32(nil, round)))
	}
	return must(rlp.EncodeToBytes(e))
}
