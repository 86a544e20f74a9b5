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
		return raftOutageWarnings(n)
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

// raftOutageWarnings says which parties' outage alone would stop a Fabric channel
// ordered by Raft: Raft orders while a majority of the channel's consenters is up
// (Fabric docs/source/orderer/ordering_service.md: it "can sustain the loss of nodes
// ... as long as there is a majority of ordering nodes (what's known as a "quorum")
// remaining"), so with n consenters it keeps going with up to (n−1)/2 of them down (1
// of 3, 2 of 5). SmartBFT needs no warning: the schema already holds each party to at
// most f = ⌊(n−1)/3⌋ of the consenters, the number BFT tolerates.
func raftOutageWarnings(n *model.Network) []Issue {
	if n.Consensus.Algorithm != model.EtcdRaft || n.Fabric == nil {
		return nil
	}
	var out []Issue
	for _, channel := range n.Fabric.ChannelNames() {
		consenters := n.Fabric.Channels[channel].Consenters
		held := map[string]int{}
		for _, node := range consenters {
			held[n.Nodes[node].Party]++
		}
		spare := (len(consenters) - 1) / 2
		for _, party := range n.PartyNames() {
			if held[party] > spare {
				out = append(out, Issue{Path: "network.parties." + party, Message: fmt.Sprintf(
					"party %s runs %d of the %d consenters of channel %s and Raft stops ordering when more than %d are down: an outage of %s alone stops channel %s (spread the consenters so that no party runs more than %d)",
					party, held[party], len(consenters), channel, spare, party, channel, spare)})
			}
		}
	}
	return out
}
