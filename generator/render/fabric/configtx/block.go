package configtx

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// common.HeaderType CONFIG (fabric-protos common/common.proto).
const headerTypeConfig = 1

// genesisMsgVersion is the channel header version of a genesis block
// (common/genesis/genesis.go msgVersion); its epoch is 0.
const genesisMsgVersion = 1

// metadataSlots is the number of BlockMetadata entries: protoutil.NewBlock
// (protoutil/blockutils.go) makes one per common.BlockMetadataIndex value, and
// common.proto has five (SIGNATURES, LAST_CONFIG, TRANSACTIONS_FILTER, ORDERER,
// COMMIT_HASH).
const metadataSlots = 5

// nonceSize is the length of the signature header nonce
// (protoutil/commonutils.go getRandomNonce, common/crypto/random.go NonceSize).
const nonceSize = 24

// GenesisBlock encodes the genesis config block of channel c: block 0, no previous
// hash, one unsigned CONFIG envelope carrying the whole channel config at sequence 0,
// laid out as Fabric v2.5.16's common/genesis/genesis.go factory.Block lays it out.
func GenesisBlock(c Channel) ([]byte, error) {
	if err := validate(c); err != nil {
		return nil, err
	}
	root, err := channelGroup(c)
	if err != nil {
		return nil, err
	}
	ts := c.Timestamp
	if ts.IsZero() {
		ts = DefaultTimestamp
	}
	envelope := configEnvelope(c.ID, ts, root.marshal())
	return block(envelope), nil
}

// configEnvelope encodes common.Envelope{payload = 1, signature = 2} (signature empty:
// nobody signs a genesis block) around Payload{header = 1, data = 2}, whose data is a
// ConfigEnvelope{config = 1, last_update = 2} holding Config{sequence = 1 (0),
// channel_group = 2} (common/common.proto, common/configtx.proto).
func configEnvelope(channelID string, ts time.Time, channelGroup []byte) []byte {
	config := msg(nil).field(2, channelGroup)
	data := msg(nil).field(1, config)
	nonce := contentNonce(channelID, ts, data)
	header := msg(nil).field(1, channelHeader(channelID, ts, txID(nonce))).field(2, signatureHeader(nonce))
	payload := msg(nil).field(1, header).field(2, data)
	return msg(nil).field(1, payload)
}

// channelHeader encodes common.ChannelHeader{type = 1, version = 2, timestamp = 3,
// channel_id = 4, tx_id = 5, epoch = 6} as protoutil.MakeChannelHeader does: whole
// seconds (nanos 0), epoch 0.
func channelHeader(channelID string, ts time.Time, txID string) []byte {
	// google.protobuf.Timestamp{seconds = 1, nanos = 2}.
	timestamp := msg(nil).uint(1, uint64(ts.Unix()))
	return msg(nil).int32(1, headerTypeConfig).int32(2, genesisMsgVersion).field(3, timestamp).
		string(4, channelID).string(5, txID)
}

// signatureHeader encodes common.SignatureHeader{creator = 1, nonce = 2}; a genesis
// block has no creator (genesis.go MakeSignatureHeader(nil, nonce)).
func signatureHeader(nonce []byte) []byte {
	return msg(nil).bytes(2, nonce)
}

// contentNonce stands in for configtxgen's random nonce. Fabric only needs the nonce
// to make the tx id unique; a hash of everything the block says is unique per content
// and the same on every run, so the block is reproducible.
func contentNonce(channelID string, ts time.Time, configEnvelope []byte) []byte {
	h := sha256.New()
	h.Write([]byte("flux-ledger fabric genesis nonce\x00"))
	h.Write([]byte(channelID))
	h.Write([]byte{0})
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(ts.Unix())))
	h.Write(configEnvelope)
	return h.Sum(nil)[:nonceSize]
}

// txID is hex(SHA-256(nonce || creator)) with no creator, so Fabric's own check of a
// tx id (protoutil/proputils.go ComputeTxID, CheckTxID) holds.
func txID(nonce []byte) string {
	sum := sha256.Sum256(nonce)
	return hex.EncodeToString(sum[:])
}

// block encodes common.Block{header = 1, data = 2, metadata = 3} with
// BlockHeader{number = 1 (0), previous_hash = 2 (none), data_hash = 3},
// BlockData{repeated data = 1} and BlockMetadata{repeated metadata = 1}.
func block(envelope []byte) []byte {
	header := msg(nil).field(3, dataHash([][]byte{envelope}))
	data := msg(nil).field(1, envelope)
	return msg(nil).field(1, header).field(2, data).field(3, genesisMetadata())
}

// dataHash is protoutil.BlockDataHash (protoutil/blockutils.go): SHA-256 of the block's
// data entries concatenated — not a Merkle tree, whatever BlockDataHashingStructure's
// width suggests.
func dataHash(entries [][]byte) []byte {
	h := sha256.New()
	for _, e := range entries {
		h.Write(e)
	}
	return h.Sum(nil)
}

// genesisMetadata fills the slots genesis.go fills: SIGNATURES (0) holds
// Metadata{value = 1, signatures = 2} whose value is OrdererBlockMetadata{last_config =
// 1, consenter_metadata = 2} with LastConfig{index = 1} at 0, and LAST_CONFIG (1) holds
// Metadata{value = LastConfig{index: 0}}. Index 0 encodes to nothing, so LAST_CONFIG's
// Metadata is empty bytes, as Go's proto.Marshal makes it; SIGNATURES keeps the
// present-but-empty last_config message. The other slots stay empty.
func genesisMetadata() []byte {
	lastConfig := []byte{} // LastConfig{index: 0}
	ordererBlockMetadata := msg(nil).field(1, lastConfig)
	slots := make([][]byte, metadataSlots)
	slots[0] = msg(nil).bytes(1, ordererBlockMetadata)
	slots[1] = msg(nil).bytes(1, lastConfig)
	return msg(nil).repeated(1, slots)
}
