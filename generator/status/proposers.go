package status

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// ProposerRounds is how many whole rounds of the validators the proposals are read
// over. QBFT and IBFT 2.0 rotate the proposer round-robin: round 0 of each block is
// proposed by the validator after the previous block's proposer, in the validators'
// order, and a round change moves the turn to the next one (Besu 24.12.2
// consensus/common/.../bft/blockcreation/ProposerSelector.java, changeEachBlock true in
// QbftBesuControllerBuilder and IbftBesuControllerBuilder). So in any n blocks of n
// validators each one that takes part proposes once, unless a round change passed it
// over; in 2n blocks it must have been passed over twice in a row to propose nothing,
// which a slow link may do once but a working validator does not do every time. A
// validator that proposes nothing in 2n blocks is down, cut off from the others, or
// runs with a key that is not the address on chain (no one signs for that address).
// 2n blocks of 40 validators are 80 headers, under the 100 Besu reads by default.
const ProposerRounds = 2

// Proposals are what the validators on chain proposed in the blocks From…To, read
// with <qbft|ibft>_getSignerMetrics from the party's RPC node.
type Proposals struct {
	From uint64 `json:"from"` // the first block read
	To   uint64 `json:"to"`   // the last block read: the one before the head
	// Whole says the blocks read span ProposerRounds whole rounds of the validators;
	// on a younger chain no validator is flagged silent.
	Whole bool `json:"whole"`
	// Error says why the proposals were not read (the validators were).
	Error      string     `json:"error,omitempty"`
	Validators []Proposer `json:"validators"`
	err        error
}

// Proposer is one validator on chain and what it proposed in the blocks read.
type Proposer struct {
	Member
	Proposed uint64 `json:"proposed"` // how many of the blocks read it proposed
	// LastProposed is the last of them (0 when none).
	LastProposed uint64 `json:"lastProposed,omitempty"`
	// Joined says it became a validator after the first block read: proposing none of
	// them says nothing.
	Joined bool `json:"joined,omitempty"`
	// Silent says it was a validator for every block read, ProposerRounds whole rounds,
	// and proposed none of them.
	Silent bool `json:"silent,omitempty"`
}

// signerMetric is one entry of getSignerMetrics' answer (Besu 24.12.2 ethereum/api/
// .../internal/results/SignerMetricResult.java): the address (Address.toString, 0x and
// 40 lowercase hex) and two Quantities (Quantity.create: 0x and hex).
type signerMetric struct {
	Address                 string  `json:"address"`
	ProposedBlockCount      hexUint `json:"proposedBlockCount"`
	LastProposedBlockNumber hexUint `json:"lastProposedBlockNumber"`
}

var addressPattern = regexp.MustCompile(`^0x[0-9a-fA-F]{40}$`)

// readProposals reads who proposed the last ProposerRounds rounds of blocks before the
// head, in one batch: <prefix>_getSignerMetrics over them and the validators of the
// first of them. The validators must have been read (v.OnChain). A failure is kept in
// the Proposals: the validators' reading stands without them.
func (v *Validators) readProposals(ctx context.Context, rpc *proxyRPC, prefix string) {
	n := uint64(len(v.OnChain))
	// AbstractGetSignerMetricsMethod.java (Besu 24.12.2): params [fromBlockNumber,
	// toBlockNumber], from inclusive and to exclusive, a to past the head being the
	// head, so the head block itself is never counted; the answer lists every
	// validator after the range's last block, those that proposed nothing with 0x0.
	// Block 0 is the genesis, whose coinbase proposed nothing.
	if n == 0 || v.Block < 2 {
		return
	}
	window := ProposerRounds * n
	p := &Proposals{From: 1, To: v.Block - 1, Validators: []Proposer{}}
	if v.Block > window {
		p.From, p.Whole = v.Block-window, true
	}
	v.Proposals = p
	metricsMethod, validatorsMethod := prefix+"_getSignerMetrics", prefix+"_getValidatorsByBlockNumber"
	answers, err := rpc.batchCalls(ctx, []rpcRequest{
		{JSONRPC: "2.0", ID: 0, Method: metricsMethod, Params: []any{hexutil.EncodeUint64(p.From), hexutil.EncodeUint64(v.Block)}},
		{JSONRPC: "2.0", ID: 1, Method: validatorsMethod, Params: []any{hexutil.EncodeUint64(p.From)}},
	})
	if err != nil {
		p.err = err // the way to the node failed: readValidators says why, as for the validators
		return
	}
	var metrics []signerMetric
	var first []string
	err = answers[0].decode(metricsMethod, &metrics)
	if err == nil {
		err = answers[1].decode(validatorsMethod, &first)
	}
	if err != nil {
		p.Error = err.Error() // the node's own answer, e.g. "Method not enabled (-32604)"
		return
	}
	byAddress := map[common.Address]signerMetric{}
	for _, m := range metrics {
		if !addressPattern.MatchString(m.Address) {
			p.Error = fmt.Sprintf("%s: %.60q is not an address", metricsMethod, m.Address)
			return
		}
		byAddress[common.HexToAddress(m.Address)] = m
	}
	wasValidator := map[common.Address]bool{}
	for _, a := range first {
		wasValidator[common.HexToAddress(a)] = true
	}
	for _, m := range v.OnChain {
		a := common.HexToAddress(m.Address)
		metric, listed := byAddress[a]
		if !listed {
			// Besu lists every validator after the range's last block, which are
			// the head's validators: an answer without one is not Besu's, and
			// reading it as "proposed nothing" would accuse a validator.
			p.Error, p.Validators = fmt.Sprintf("%s: the answer does not list validator %s", metricsMethod, m.Address), []Proposer{}
			return
		}
		q := Proposer{Member: m, Proposed: uint64(metric.ProposedBlockCount), Joined: !wasValidator[a]}
		if q.Proposed > 0 {
			q.LastProposed = uint64(metric.LastProposedBlockNumber)
		}
		q.Silent = p.Whole && !q.Joined && q.Proposed == 0
		p.Validators = append(p.Validators, q)
	}
}

// proposedCell is the PROPOSED cell of a party's validators row: how many validators
// on chain proposed in the blocks read, "not read", or "-" before there is a block
// to read.
func (p *Proposals) proposedCell() string {
	switch {
	case p == nil:
		return "-"
	case p.Error != "":
		return "not read"
	}
	proposed := 0
	for _, q := range p.Validators {
		if q.Proposed > 0 {
			proposed++
		}
	}
	return fmt.Sprintf("%d of %d", proposed, len(p.Validators))
}

// note is what the validators row's MESSAGE says of the proposals, if anything.
func (p *Proposals) note() string {
	switch {
	case p == nil:
		return ""
	case p.Error != "":
		return "proposers not read: " + p.Error
	case !p.Whole:
		return fmt.Sprintf("blocks %d-%d are under %d rounds of %d validators: none flagged silent", p.From, p.To, ProposerRounds, len(p.Validators))
	}
	return ""
}

// silentLine says in one line that a validator proposed nothing for whole rounds, and
// what that means.
func silentLine(q Proposer, validators int) string {
	who := q.Address + " (not a node of the network)"
	if q.Node != "" {
		who = fmt.Sprintf("%s (party %s)", q.Node, q.Party)
	}
	return fmt.Sprintf("silent: %s has not proposed in %d whole rounds (the last %d blocks of %d validators): it is down, cut off, or its key is not the one on chain",
		who, ProposerRounds, ProposerRounds*validators, validators)
}

// joinNotes joins the non-empty notes of a MESSAGE cell.
func joinNotes(notes ...string) string {
	var out []string
	for _, n := range notes {
		if n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, "; ")
}
