package monitoring

import (
	"fmt"
	"strings"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// minStoppedBlocks is the fewest block periods without a block that count as a
// stopped chain, however short the period.
const minStoppedBlocks = 10

// StoppedBlocks is k, the number of block periods without a new block after which
// the chain counts as stopped: at least minStoppedBlocks, and enough that neither a
// stale scrape (ScrapeInterval) nor one QBFT/IBFT round change (a new round starts
// after requestTimeoutSeconds) is taken for a stop, with two periods to spare. A
// QBFT or IBFT 2.0 chain makes a block every period even when idle (empty blocks),
// so a gap of k periods is a consensus failure, not a quiet network.
func StoppedBlocks(c model.Consensus) int {
	period := c.BlockPeriodSeconds
	if period < 1 {
		period = 1
	}
	margin := int(ScrapeInterval/time.Second) + c.RequestTimeoutSeconds
	k := (margin+period-1)/period + 2
	return max(k, minStoppedBlocks)
}

// voteStuckFor: a validator change passes once a majority of the validators' votes
// landed, and each validator casts its vote in the blocks it proposes (every
// validator proposes within one round of blocks) once its party's cluster applied
// the votes ConfigMap (Flux retries every minute; the validator-vote sidecar checks
// every besu.VoteIntervalSeconds). An hour is many times that: a party has not
// applied the change, a sidecar cannot vote, or the change passed and is not
// recorded yet.
const voteStuckFor = time.Hour

// validatorVoteStuck alerts while the repository asks the validators to vote for a
// change, for voteStuckFor. Besu exports no metric of the validator set or of pending
// votes (see besuRules), so the rule exists only while flux-ledger renders a vote
// (the votes ConfigMap lists one) and its age is the alert's: it holds over the
// party's scraped nodes (the chain's height, the value shown) for voteStuckFor. The
// changes are a label, so a new set of changes starts a new clock (Prometheus keeps
// an alert's pending state across rule reloads by name and labels: prometheus
// rules/group.go CopyState, nameAndLabels).
func validatorVoteStuck(network *model.Network, s scope) (monitoringv1.Rule, bool) {
	changes := network.PendingValidatorChanges()
	if len(changes) == 0 || network.Governance.Method == model.MethodTransition {
		return monitoringv1.Rule{}, false
	}
	var list []string
	for _, c := range changes {
		verb := "remove"
		if c.Add {
			verb = "add"
		}
		list = append(list, verb+" "+c.Node)
	}
	r := alert("LedgerValidatorVoteStuck",
		fmt.Sprintf("max by (namespace) (ethereum_blockchain_height%s)", s.sel()),
		voteStuckFor, SeverityWarning,
		"The validator change ("+strings.Join(list, ", ")+") has been put to the vote for more than "+promDuration(voteStuckFor)+" and is still pending here (the chain is at block {{ $value }})",
		"flux-ledger status shows the votes that landed and which parties' validators have not voted: check their clusters applied the validator-votes ConfigMap and the validator-vote sidecar's log; if the change passed, run flux-ledger validators record")
	r.Labels["validator_changes"] = strings.Join(list, ", ")
	return r, true
}

// besuRules are the Besu alerts, for a QBFT or IBFT 2.0 chain.
//
// No rule says "a validator has not proposed for a whole round of validators":
// Besu 24.12.2 exports no metric naming a block's proposer or counting a
// validator's proposals. Its metric categories (metrics/core/.../
// BesuMetricCategory.java) have no consensus category, the consensus/ modules
// register no metric of their own (only their executors' queue metrics,
// BftExecutors.java), and the chain head gauges of DefaultBlockchain.java (height,
// timestamp, gas, transaction and ommer counts) say nothing of who sealed the head.
// What does say it is the JSON-RPC method qbft_getSignerMetrics (ibft_getSignerMetrics
// on IBFT 2.0; consensus/common/.../jsonrpc/AbstractGetSignerMetricsMethod.java):
// per validator, proposedBlockCount and lastProposedBlockNumber over a block range, a
// question for a reader of the RPC, not for Prometheus. flux-ledger status asks it
// (generator/status/proposers.go): through each party's RPC node, over the two rounds
// of validators before the head, it names every validator that proposed none of them,
// with its party. A validator that stops proposing altogether still shows here too:
// it is down (LedgerNodeDown), cut off (LedgerPeersBelowTopology) or behind
// (LedgerNodeBehind); one whose key is not the address on chain shows only in status.
func besuRules(network *model.Network, s scope, expectedPeers int) []monitoringv1.Rule {
	k := StoppedBlocks(network.Consensus)
	after := time.Duration(k*max(network.Consensus.BlockPeriodSeconds, 1)) * time.Second
	// expectedPeers: a node's static nodes list every node its party dials (every
	// node of the network with mesh peering; package peering), the lists are the
	// same for all of a party's nodes and links go both ways, and flux-ledger's
	// peer-sync sidecar re-adds them, so each node should hold a connection to every
	// other node of its list. Besu keeps such maintained peers beyond --max-peers
	// (24.12.2: EthPeers.canExceedPeerLimits →
	// DefaultPeerPrivileges.canExceedConnectionLimits), so the expectation is not
	// capped at the default 25.
	rules := []monitoringv1.Rule{
		alert("LedgerChainStopped",
			fmt.Sprintf("time() - max by (namespace) (besu_blockchain_chain_head_timestamp%s) > %d", s.sel(), int(after/time.Second)),
			0, SeverityCritical,
			fmt.Sprintf("No node of %s has seen a new block for more than %s (%d block periods)", s.namespace, promDuration(after), k),
			"A BFT chain stops when fewer than 2f+1 validators take part: check every party's validators (LedgerNodeDown, LedgerPeersBelowTopology) and the validators' logs for round changes"),
		alert("LedgerNodeBehind",
			fmt.Sprintf("(ethereum_best_known_block_number%[1]s - ethereum_blockchain_height%[1]s > %[2]d) or (max by (namespace) (ethereum_blockchain_height%[1]s) - on (namespace) group_right ethereum_blockchain_height%[1]s > %[2]d)", s.sel(), k),
			after, SeverityWarning,
			fmt.Sprintf("{{ $labels.ledger_node }} is {{ $value }} blocks behind the network (more than %d for %s)", k, promDuration(after)),
			"Check the node's peers (LedgerPeersBelowTopology), its disk and CPU, and its log for import errors; a node that stays behind after a restart needs its data volume resynced"),
	}
	if expectedPeers > 0 {
		rules = append(rules, alert("LedgerPeersBelowTopology",
			fmt.Sprintf("ethereum_peer_count%s < %d", s.sel(), expectedPeers),
			peersFor, SeverityWarning,
			fmt.Sprintf("{{ $labels.ledger_node }} has {{ $value }} peers; its static nodes list %d other nodes", expectedPeers),
			"The missing peers are unreachable from here or refuse this node: check their exposure (flux-ledger plan names each node's endpoint), the egress CIDRs admitted by their NetworkPolicies, and the peer-sync sidecar's log"))
	}
	if r, ok := validatorVoteStuck(network, s); ok {
		rules = append(rules, r)
	}
	return rules
}
