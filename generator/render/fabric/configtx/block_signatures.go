package configtx

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"google.golang.org/protobuf/encoding/protowire"
)

// BlockSignature is one orderer's signature of a block: a common.MetadataSignature
// {signature_header = 1, signature = 2, identifier_header = 3} in the block's
// SIGNATURES metadata.
type BlockSignature struct {
	// MSPID and Cert (PEM) are the signer named by the signature header's creator.
	MSPID string
	Cert  []byte
	// ConsenterID names the signer when the signature carries an identifier header
	// and no signature header (SmartBFT): the id of its consenter_mapping entry.
	ConsenterID uint32
	ByID        bool

	message, signature []byte
}

// blockHeader reads a block's BlockHeader{number = 1, previous_hash = 2, data_hash = 3}.
// The block's data must hash to the header's data_hash: the signatures cover the
// header, not the data.
func blockHeader(block []byte) (number uint64, headerDER []byte, err error) {
	header, err := field(block, 1, "Block.header")
	if err != nil {
		return 0, nil, err
	}
	blockData, err := field(block, 2, "Block.data")
	if err != nil {
		return 0, nil, err
	}
	var entries [][]byte
	if err := eachField(blockData, func(num protowire.Number, _ uint64, b []byte) error {
		if num == 1 {
			entries = append(entries, b)
		}
		return nil
	}); err != nil {
		return 0, nil, fmt.Errorf("BlockData: %w", err)
	}
	var previous, data []byte
	if err := eachField(header, func(num protowire.Number, v uint64, b []byte) error {
		switch num {
		case 1:
			number = v
		case 2:
			previous = b
		case 3:
			data = b
		}
		return nil
	}); err != nil {
		return 0, nil, fmt.Errorf("BlockHeader: %w", err)
	}
	if !bytes.Equal(data, dataHash(entries)) {
		return 0, nil, errors.New("the block's data does not hash to its header's data_hash: it was changed after the block was cut")
	}
	// protoutil.BlockHeaderBytes: the header as ASN.1 {Number *big.Int, PreviousHash,
	// DataHash}, the bytes every orderer signs (Fabric v2.5.16 protoutil/blockutils.go).
	headerDER, err = asn1.Marshal(struct {
		Number       *big.Int
		PreviousHash []byte
		DataHash     []byte
	}{new(big.Int).SetUint64(number), previous, data})
	return number, headerDER, err
}

// BlockNumber is a block's number.
func BlockNumber(block []byte) (uint64, error) {
	n, _, err := blockHeader(block)
	return n, err
}

// BlockSignatures reads the orderers' signatures of an encoded common.Block and what
// each signed: the metadata value, then the signature header (or, without one, the
// identifier header), then the header's ASN.1 bytes — as the orderer's BlockWriter
// signs (Fabric v2.5.16 orderer/common/multichannel/blockwriter.go addBlockSignature)
// and as v3.1.5 protoutil/blockutils.go BlockSignatureVerifier checks. Whether a
// signature verifies, and whether its signer may sign the channel's blocks, is for
// Verify and the caller.
func BlockSignatures(block []byte) ([]BlockSignature, error) {
	_, headerDER, err := blockHeader(block)
	if err != nil {
		return nil, err
	}
	metadata, err := field(block, 3, "Block.metadata")
	if err != nil {
		return nil, err
	}
	// BlockMetadata.metadata (1) is repeated, indexed by BlockMetadataIndex:
	// SIGNATURES is 0.
	var signatures []byte
	found := false
	if err := eachField(metadata, func(num protowire.Number, _ uint64, b []byte) error {
		if num == 1 && !found {
			signatures, found = b, true
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("BlockMetadata: %w", err)
	}
	var value []byte
	var out []BlockSignature
	var entries [][]byte
	if err := eachField(signatures, func(num protowire.Number, _ uint64, b []byte) error {
		switch num {
		case 1:
			value = b
		case 2:
			entries = append(entries, b)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("Metadata: %w", err) //nolint:staticcheck // names Fabric's Metadata message
	}
	for _, e := range entries {
		var sigHeader, signature, idHeader []byte
		if err := eachField(e, func(num protowire.Number, _ uint64, b []byte) error {
			switch num {
			case 1:
				sigHeader = b
			case 2:
				signature = b
			case 3:
				idHeader = b
			}
			return nil
		}); err != nil {
			return nil, fmt.Errorf("MetadataSignature: %w", err)
		}
		s := BlockSignature{signature: signature}
		switch {
		case len(sigHeader) > 0:
			if s.MSPID, s.Cert, _, err = decodeSignatureHeader(sigHeader); err != nil {
				return nil, fmt.Errorf("MetadataSignature: %w", err)
			}
			s.message = concat(value, sigHeader, headerDER)
		case len(idHeader) > 0:
			// IdentifierHeader{identifier = 1, nonce = 2}.
			if err := eachField(idHeader, func(num protowire.Number, v uint64, _ []byte) error {
				if num == 1 {
					s.ConsenterID, s.ByID = uint32(v), true
				}
				return nil
			}); err != nil {
				return nil, fmt.Errorf("IdentifierHeader: %w", err)
			}
			if !s.ByID {
				return nil, errors.New("IdentifierHeader: no identifier")
			}
			s.message = concat(value, idHeader, headerDER)
		default:
			return nil, errors.New("MetadataSignature: neither a signature header nor an identifier header")
		}
		out = append(out, s)
	}
	return out, nil
}

// Verify checks the signature with the signer's public key, with the rules Fabric
// applies to every signature (verifyFabricECDSA).
func (s BlockSignature) Verify(pub *ecdsa.PublicKey) error {
	return verifyFabricECDSA(s.signature, s.message, pub, "the orderer certificate's key")
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// BFTConsenterIdentities maps each SmartBFT consenter's id to its signing identity
// (PEM), from the Orderers value's consenter_mapping: Consenter{id = 1, identity = 5}
// (fabric-protos common/configuration.proto). A Raft config has none.
func (c *Config) BFTConsenterIdentities() (map[uint32][]byte, error) {
	orderer := c.Channel.Groups[ordererGroupKey]
	if orderer == nil || orderer.Values[orderersKey] == nil {
		return nil, nil
	}
	out := map[uint32][]byte{}
	err := eachField(orderer.Values[orderersKey].Content, func(num protowire.Number, _ uint64, b []byte) error {
		if num != 1 {
			return nil
		}
		var id uint64
		var identity []byte
		if err := eachField(b, func(num protowire.Number, v uint64, d []byte) error {
			switch num {
			case 1:
				id = v
			case 5:
				identity = d
			}
			return nil
		}); err != nil {
			return err
		}
		out[uint32(id)] = identity
		return nil
	})
	return out, err
}
