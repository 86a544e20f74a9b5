package besurpc

import (
	"encoding/hex"
	"strings"
)

// Constant header fields of a BFT block without transactions.
const (
	// bftMixHash is BftHelpers.EXPECTED_MIX_HASH.
	bftMixHash = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"
	// emptyTrie is the root of an empty trie (no transactions, no receipts).
	emptyTrie = "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"
	// emptyOmmers is keccak256(RLP([])).
	emptyOmmers = "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347"
)

// blockJSON is eth_getBlockByNumber's answer in the field order of Besu 24.12.2
// ethereum/api/.../internal/results/BlockResult.java. "miner" is the header's coinbase,
// which in QBFT and IBFT 2.0 is the proposer: BftBlockCreator sets the coinbase to the
// node's own address (miningConfiguration.setCoinbase(localAddress)) and
// BftBlockInterface.getProposerOfBlock reads it back.
type blockJSON struct {
	Number           string   `json:"number"`
	Hash             string   `json:"hash"`
	MixHash          string   `json:"mixHash"`
	ParentHash       string   `json:"parentHash"`
	Nonce            string   `json:"nonce"`
	Sha3Uncles       string   `json:"sha3Uncles"`
	LogsBloom        string   `json:"logsBloom"`
	TransactionsRoot string   `json:"transactionsRoot"`
	StateRoot        string   `json:"stateRoot"`
	ReceiptsRoot     string   `json:"receiptsRoot"`
	Miner            string   `json:"miner"`
	Difficulty       string   `json:"difficulty"`
	TotalDifficulty  string   `json:"totalDifficulty"`
	ExtraData        string   `json:"extraData"`
	Size             string   `json:"size"`
	GasLimit         string   `json:"gasLimit"`
	GasUsed          string   `json:"gasUsed"`
	Timestamp        string   `json:"timestamp"`
	Uncles           []string `json:"uncles"`
	Transactions     []string `json:"transactions"`
}

func blockResult(b *Block) blockJSON {
	return blockJSON{
		Number:           quantity(b.Number),
		Hash:             b.Hash.Hex(),
		MixHash:          bftMixHash,
		ParentHash:       b.Parent.Hex(),
		Nonce:            "0x0000000000000000",
		Sha3Uncles:       emptyOmmers,
		LogsBloom:        "0x" + strings.Repeat("00", 256),
		TransactionsRoot: emptyTrie,
		StateRoot:        emptyTrie,
		ReceiptsRoot:     emptyTrie,
		Miner:            lower(b.Proposer),
		Difficulty:       "0x1",
		TotalDifficulty:  quantity(b.Number + 1),
		ExtraData:        "0x" + hex.EncodeToString(b.ExtraData),
		Size:             quantity(uint64(508 + len(b.ExtraData))),
		GasLimit:         "0x1fffffffffffff",
		GasUsed:          "0x0",
		Timestamp:        quantity(b.Number), // one block a second from the epoch, for determinism
		Uncles:           []string{},
		Transactions:     []string{},
	}
}
