package besurpc

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"
)

// errBlockNumber is RpcErrorType.INVALID_BLOCK_NUMBER_PARAMS: a block parameter that
// does not parse, or a range whose start is not below its end.
var errBlockNumber = &rpcError{-32602, "Invalid block number params"}

// signerMetric is Besu 24.12.2 ethereum/api/.../internal/results/SignerMetricResult.java,
// in its @JsonPropertyOrder: the address (Address.toString) and two Quantities.
type signerMetric struct {
	Address                 string `json:"address"`
	ProposedBlockCount      string `json:"proposedBlockCount"`
	LastProposedBlockNumber string `json:"lastProposedBlockNumber"`
}

// defaultRange is AbstractGetSignerMetricsMethod.DEFAULT_RANGE_BLOCK.
const defaultRange = 100

// signerMetrics is <qbft|ibft>_getSignerMetrics, Besu 24.12.2 consensus/common/.../
// jsonrpc/AbstractGetSignerMetricsMethod.java (QbftGetSignerMetrics and
// IbftGetSignerMetrics add only the name):
//
//   - params [fromBlockNumber, toBlockNumber], both optional block parameters; from
//     defaults to max(0, head − 100), to to the head, and a to past the head is the
//     head. The range is from inclusive, to exclusive: the head block is never counted.
//     A range whose from is not below its to, or a parameter that does not parse, is
//     INVALID_BLOCK_NUMBER_PARAMS.
//   - each block's proposer (BftBlockInterface.getProposerOfBlock: the coinbase, zero
//     in the genesis) counts one block and sets its lastProposedBlockNumber; then every
//     validator after the range's last block that proposed nothing is added with 0x0
//     and 0x0.
//   - the list is a HashMap's values: in no order a client may rely on. The fake
//     writes them in the order it first meets them (proposers as they come, then the
//     silent validators ascending), which is not the validators' order.
func (c *Chain) signerMetrics(params []json.RawMessage) (any, *rpcError) {
	head := uint64(len(c.blocks) - 1)
	from := head - min(head, defaultRange)
	to := head
	if n, ok, err := c.optionalBlockNumber(params, 0); err != nil {
		return nil, err
	} else if ok {
		from = n
	}
	if n, ok, err := c.optionalBlockNumber(params, 1); err != nil {
		return nil, err
	} else if ok && n <= head {
		to = n
	}
	if from >= to {
		return nil, errBlockNumber
	}
	var order []common.Address
	metrics := map[common.Address]*signerMetric{}
	var counts, last = map[common.Address]uint64{}, map[common.Address]uint64{}
	meet := func(a common.Address) {
		if metrics[a] == nil {
			metrics[a] = &signerMetric{Address: lower(a)}
			order = append(order, a)
		}
	}
	for n := from; n < to; n++ {
		b := c.blocks[n]
		meet(b.Proposer)
		counts[b.Proposer]++
		last[b.Proposer] = n
		if n == to-1 {
			for _, v := range c.tallies[n].sorted() { // getValidatorsAfterBlock
				meet(v)
			}
		}
	}
	out := make([]signerMetric, 0, len(order))
	for _, a := range order {
		m := metrics[a]
		m.ProposedBlockCount, m.LastProposedBlockNumber = quantity(counts[a]), quantity(last[a])
		out = append(out, *m)
	}
	return out, nil
}

// optionalBlockNumber reads params[i] as AbstractGetSignerMetricsMethod.resolveBlockNumber
// does: absent or null is not given; earliest is 0; latest and pending are the head;
// finalized and safe are an IllegalStateException (an internal error); a number is
// Long.decode's (hex with 0x, or decimal).
func (c *Chain) optionalBlockNumber(params []json.RawMessage, i int) (uint64, bool, *rpcError) {
	if len(params) <= i || string(params[i]) == "null" {
		return 0, false, nil
	}
	var s string
	if json.Unmarshal(params[i], &s) != nil {
		return 0, false, errBlockNumber
	}
	head := uint64(len(c.blocks) - 1)
	switch strings.ToLower(s) {
	case "earliest":
		return 0, true, nil
	case "latest", "pending":
		return head, true, nil
	case "finalized", "safe":
		return 0, false, errNotModelled
	}
	n, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return 0, false, errBlockNumber
	}
	return n, true, nil
}
