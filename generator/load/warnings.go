package load

import (
	"fmt"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// outageWarnings says which parties' outage alone would stop a Besu chain. QBFT and
// IBFT 2.0 make progress while a quorum of ⌈2n/3⌉ of the n validators is up (Besu
// consensus/common/bft/BftHelpers.calculateRequiredValidatorQuorum), so the chain
// keeps going with up to n − ⌈2n/3⌉ of them down (1 of 4, 2 of 6, 2 of 7). A party
// holding more is not an error (two founding parties cannot do better), but everyone
// should know before launch that one party's maintenance window stops the chain.
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
	spare := total - (2*total+2)/3
	var out []Issue
	for _, party := range n.PartyNames() {
		if held[party] > spare {
			out = append(out, Issue{Path: "network.parties." + party, Message: fmt.Sprintf(
				"party %s runs %d of the %d validators and the chain stops when more than %d are down: an outage of %s alone stops the chain (spread the validators so that no party runs more than %d)",
				party, held[party], total, spare, party, spare)})
		}
	}
	return out
}
