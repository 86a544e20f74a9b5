package monitoring

import "github.com/flux-ledger/flux-ledger/generator/model"

// The Besu dashboards read only the metrics of the table (metrics.go); a test checks
// every name they use is in it and every query passes promtool.

// besuNetwork is the consortium's view: each party's chain height, the drift between
// parties, how old each party's last block is, and which nodes are connected.
func besuNetwork() *Dashboard {
	b := newBoard("besu", DashboardNetwork, "Besu network", "Chain height, block age and peers of every party the data source scrapes")
	height := "max by (namespace) (ethereum_blockchain_height" + ledgerSel() + ")"
	b.stat("Height drift between parties", "Highest party's chain height minus the lowest's: a party that stays behind has lost its peers or its validators' blocks", "none",
		query{"max(" + height + ") - min(" + height + ")", "drift"})
	b.stat("Last block age", "Seconds since the newest block any node of the party has seen; a QBFT/IBFT chain makes a block every period even when idle", "s",
		query{"time() - max by (namespace) (besu_blockchain_chain_head_timestamp" + ledgerSel() + ")", "{{namespace}}"})
	upByParty(b)
	b.timeseries("Chain height by party", "Highest block of each party's nodes", "none", query{height, "{{namespace}}"})
	b.timeseries("Peers by node", "Connected peers of each node; the full mesh is every other node of the network", "none",
		query{"ethereum_peer_count" + ledgerSel(), "{{namespace}} {{" + LabelNode + "}}"})
	return b.d
}

// besuNode is one node (or several) in detail: scrape, height against the best
// block its peers announce, peers, and its pod's restarts.
func besuNode() *Dashboard {
	b := newBoard("besu", DashboardNode, "Besu node", "One node's scrape, sync, peers and restarts", nodeVariable())
	b.stat("Scrape up", "1 when the node's metrics answered the last scrape", "none", query{"up" + ledgerSel(onNode), "{{" + LabelNode + "}}"})
	b.stat("Blocks behind", "Best block the node's peers announce minus its own head", "none",
		query{"ethereum_best_known_block_number" + ledgerSel(onNode) + " - ethereum_blockchain_height" + ledgerSel(onNode), "{{" + LabelNode + "}}"})
	b.stat("Peers", "Connected peers", "none", query{"ethereum_peer_count" + ledgerSel(onNode), "{{" + LabelNode + "}}"})
	b.timeseries("Height and best known block", "The node's chain head against the best block its peers announce", "none",
		query{"ethereum_blockchain_height" + ledgerSel(onNode), "{{" + LabelNode + "}} height"},
		query{"ethereum_best_known_block_number" + ledgerSel(onNode), "{{" + LabelNode + "}} best known"})
	b.timeseries("Transactions in the head block", "Transactions of each new chain head", "none",
		query{"besu_blockchain_chain_head_transaction_count" + ledgerSel(onNode), "{{" + LabelNode + "}}"})
	b.timeseries("Container restarts (1h)", "kube-state-metrics: restarts of the node's pod containers in the last hour", "none", restarts())
	return b.d
}

// besuConsensus is the BFT view: block period as the validators see it, block rate,
// validators online and their heights. Besu exports no per-validator proposal metric
// (rules_besu.go): the note says where that lives.
func besuConsensus() *Dashboard {
	b := newBoard("besu", DashboardConsensus, "Besu consensus", "QBFT/IBFT 2.0 block production as the validators see it")
	validator := onRole(model.RoleValidator)
	b.stat("Validators online", "Validators of each party whose metrics answer", "none",
		query{"count by (namespace) (up" + ledgerSel(validator) + " == 1)", "{{namespace}}"})
	b.stat("Last block age", "Seconds since the newest block the validators have seen", "s",
		query{"time() - max(besu_blockchain_chain_head_timestamp" + ledgerSel(validator) + ")", "age"})
	b.stat("Blocks per minute", "Block rate over 5 minutes; the configured period sets the ceiling", "none",
		query{"max(deriv(ethereum_blockchain_height" + ledgerSel(validator) + "[5m])) * 60", "blocks/min"})
	b.timeseries("Seconds per block", "Chain head time advanced per block over 5 minutes: above the block period, rounds are changing", "s",
		query{"delta(besu_blockchain_chain_head_timestamp" + ledgerSel(validator) + "[5m]) / delta(ethereum_blockchain_height" + ledgerSel(validator) + "[5m])", "{{namespace}} {{" + LabelNode + "}}"})
	b.timeseries("Validator heights", "Every validator's chain head: one that flattens has stopped importing", "none",
		query{"ethereum_blockchain_height" + ledgerSel(validator), "{{namespace}} {{" + LabelNode + "}}"})
	b.text("Proposals per validator",
		"Besu exports no metric of who proposed a block. Its JSON-RPC does: `qbft_getSignerMetrics` "+
			"(`ibft_getSignerMetrics` on IBFT 2.0) lists each validator's `proposedBlockCount` and `lastProposedBlockNumber` "+
			"over a range of blocks (by default the 100 before the head), `0x0` for one that proposed none. "+
			"`flux-ledger status` reads it from every party's RPC node and names each validator that proposed none of the last two rounds.")
	return b.d
}
