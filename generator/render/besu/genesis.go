package besu

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// mixHash identifies BFT blocks in Besu ("ctical byzantine fault tolerance").
const mixHash = "0x63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365"

// qbftExtra is QBFT's genesis extraData: RLP([vanity, validators, vote, round, seals])
// with no vote (an empty list) and round 0.
type qbftExtra struct {
	Vanity     [32]byte
	Validators []common.Address
	Vote       []struct{}
	Round      uint64
	Seals      [][]byte
}

// ibft2Extra is IBFT 2.0's: the vote is an empty byte string and the round a 4-byte
// integer.
type ibft2Extra struct {
	Vanity     [32]byte
	Validators []common.Address
	Vote       []byte
	Round      [4]byte
	Seals      [][]byte
}

// ExtraData encodes the genesis extraData for the given validators, in the order given.
func ExtraData(algorithm string, validators []common.Address) ([]byte, error) {
	switch algorithm {
	case model.QBFT:
		return rlp.EncodeToBytes(qbftExtra{Validators: validators, Vote: []struct{}{}, Seals: [][]byte{}})
	case model.IBFT2:
		return rlp.EncodeToBytes(ibft2Extra{Validators: validators, Vote: []byte{}, Seals: [][]byte{}})
	}
	return nil, fmt.Errorf("consensus %q has no extraData encoding", algorithm)
}

// Validators returns the network's validator addresses in ascending order, the order
// Besu's genesis expects.
func Validators(network *model.Network) []common.Address {
	var addrs []common.Address
	for _, address := range network.DesiredValidators() {
		addrs = append(addrs, common.HexToAddress(address))
	}
	sort.Slice(addrs, func(i, j int) bool { return bytes.Compare(addrs[i][:], addrs[j][:]) < 0 })
	return addrs
}

type genesisFile struct {
	Config     genesisConfig     `json:"config"`
	Nonce      string            `json:"nonce"`
	Timestamp  string            `json:"timestamp"`
	GasLimit   string            `json:"gasLimit"`
	Difficulty string            `json:"difficulty"`
	MixHash    string            `json:"mixHash"`
	Coinbase   string            `json:"coinbase"`
	Alloc      map[string]string `json:"alloc"`
	ExtraData  string            `json:"extraData"`
	// BaseFeePerGas is set from London on: without it Besu gives a London genesis a
	// default non-zero base fee (GenesisConfigFile.getGenesisBaseFeePerGas).
	BaseFeePerGas string `json:"baseFeePerGas,omitempty"`
}

type genesisConfig struct {
	ChainID     uint64 `json:"chainId"`
	BerlinBlock uint64 `json:"berlinBlock"`
	// London's fee market with a zero base fee (ZeroBaseFeeMarket), so that
	// --min-gas-price=0 and gas-free transactions stay valid.
	LondonBlock *uint64 `json:"londonBlock,omitempty"`
	ZeroBaseFee bool    `json:"zeroBaseFee,omitempty"`
	// Shanghai is scheduled by timestamp (PUSH0, EIP-3855).
	ShanghaiTime *uint64    `json:"shanghaiTime,omitempty"`
	QBFT         *bftConfig `json:"qbft,omitempty"`
	IBFT2        *bftConfig `json:"ibft2,omitempty"`
}

// Milestones sets the EVM milestones of a genesis config, each from block (or time) 0.
// Cancun is not offered: Besu schedules it for any chain (ProtocolScheduleBuilder) but
// no Besu release notes it as supported on QBFT/IBFT 2.0, as they do Shanghai.
func milestones(config *genesisConfig, evm string) error {
	zero := uint64(0)
	switch evm {
	case model.EVMBerlin:
	case model.EVMShanghai:
		config.ShanghaiTime = &zero
		fallthrough
	case model.EVMLondon:
		config.LondonBlock = &zero
		config.ZeroBaseFee = true
	default:
		return fmt.Errorf("genesis.evm %q: no such milestone (berlin, london, shanghai)", evm)
	}
	return nil
}

type bftConfig struct {
	BlockPeriodSeconds    int `json:"blockperiodseconds"`
	EpochLength           int `json:"epochlength"`
	RequestTimeoutSeconds int `json:"requesttimeoutseconds"`
}

// Genesis renders the network's genesis.json. Every party gets the same bytes. Once
// the network is launched, they are the recorded ones: nothing in the model can change
// block 0 again.
func Genesis(network *model.Network) ([]byte, error) {
	if network.Genesis.Frozen != nil {
		return frozenGenesis(network)
	}
	extra, err := ExtraData(network.Consensus.Algorithm, Validators(network))
	if err != nil {
		return nil, err
	}
	bft := &bftConfig{
		BlockPeriodSeconds:    network.Consensus.BlockPeriodSeconds,
		EpochLength:           network.Consensus.EpochLength,
		RequestTimeoutSeconds: network.Consensus.RequestTimeoutSeconds,
	}
	g := genesisFile{
		Config:     genesisConfig{ChainID: network.ChainID},
		Nonce:      "0x0",
		Timestamp:  "0x0",
		GasLimit:   "0x1fffffffffffff",
		Difficulty: "0x1",
		MixHash:    mixHash,
		Coinbase:   "0x0000000000000000000000000000000000000000",
		Alloc:      map[string]string{},
		ExtraData:  "0x" + hex.EncodeToString(extra),
	}
	if err := milestones(&g.Config, network.Genesis.EVM); err != nil {
		return nil, err
	}
	if g.Config.LondonBlock != nil {
		g.BaseFeePerGas = "0x0"
	}
	if network.Consensus.Algorithm == model.QBFT {
		g.Config.QBFT = bft
	} else {
		g.Config.IBFT2 = bft
	}
	out, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
