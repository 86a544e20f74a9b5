package load

import (
	"fmt"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// outageWarnings says which parties' outage alone would stop a Besu chain. QBFT and
// IBFT 2.0 make progress while ⌈2n/3⌉ of n validators are up (Besu
// consensus/common/bft/BftHelpers.calculateRequiredValidatorQuorum), so the chain
// survives at most f = ⌊(n−1)/3⌋ of them down. A party holding more than f is not an
// error (two founding parties cannot do better), but everyone should know before
// launch that one party's maintenance window stops the chain.
func outageWarnings(n *model.Network) []Issue {
	if n.IsFabric() {
		return nil
	}
	held := map[string]int{}
	total := 0
	for _, node := range n.Nodes {
		if node.IsValidator() {
			held[node.Party]++
			total++
		}
	}
	f := (total - 1) / 3
	var out []Issue
	for _, party := range n.PartyNames() {
		if held[party] > f {
			out = append(out, Issue{Path: "network.parties." + party, Message: fmt.Sprintf(
				"party %s runs %d of the %d validators and the chain stops when more than %d are down: an outage of %s alone stops the chain (spread validators so no party runs more than %d, or set compliance.partyValidatorLimit: \"faultTolerance\" to make this an error)",
				party, held[party], total, f, party, f)})
		}
	}
	return out
}
