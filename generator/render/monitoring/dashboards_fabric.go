package monitoring

import "github.com/flux-ledger/flux-ledger/generator/model"

// The Fabric dashboards read only the metrics of the table (metrics.go); a test
// checks every name they use is in it and every query passes promtool.

func channelVariable() Variable {
	return queryVariable(varChannel, "Channel", "ledger_blockchain_height"+ledgerSel(), "channel")
}

// fabricNetwork is the consortium's view: each party's height on each channel, the
// drift between the peers of a channel, gossip membership and which nodes answer.
func fabricNetwork() *Dashboard {
	b := newBoard("fabric", DashboardNetwork, "Fabric network", "Channel heights, drift and gossip membership of every party the data source scrapes")
	peer := onRole(model.RolePeer)
	b.stat("Height drift by channel", "Highest peer's height minus the lowest's on each channel: a peer that stays behind stopped committing", "none",
		query{"max by (channel) (ledger_blockchain_height" + ledgerSel(peer) + ") - min by (channel) (ledger_blockchain_height" + ledgerSel(peer) + ")", "{{channel}}"})
	upByParty(b)
	b.stat("Peers known by gossip", "Other peers each peer sees alive on each channel", "none",
		query{"min by (namespace, channel) (gossip_membership_total_peers_known" + ledgerSel(peer) + ")", "{{namespace}} {{channel}}"})
	b.timeseries("Channel height by party", "Highest block each party's peers committed, per channel", "none",
		query{"max by (namespace, channel) (ledger_blockchain_height" + ledgerSel(peer) + ")", "{{namespace}} {{channel}}"})
	b.timeseries("Committed transactions by party", "Transactions committed per second, by validation code (VALID, MVCC_READ_CONFLICT, ...)", "ops",
		query{"sum by (namespace, validation_code) (rate(ledger_transaction_count" + ledgerSel(peer) + "[$__rate_interval]))", "{{namespace}} {{validation_code}}"})
	return b.d
}

// fabricNode is one peer or orderer in detail.
func fabricNode() *Dashboard {
	b := newBoard("fabric", DashboardNode, "Fabric node", "One peer's or orderer's scrape, heights, work and restarts", nodeVariable())
	b.stat("Scrape up", "1 when the node's operations service answered the last scrape", "none", query{"up" + ledgerSel(onNode), "{{" + LabelNode + "}}"})
	b.stat("Gossip peers known", "Other peers this peer sees alive, per channel", "none",
		query{"gossip_membership_total_peers_known" + ledgerSel(onNode), "{{" + LabelNode + "}} {{channel}}"})
	b.stat("Container restarts (1h)", "kube-state-metrics: restarts of the node's pod containers in the last hour", "none", restarts())
	b.timeseries("Height by channel", "The node's ledger height on each channel it joined", "none",
		query{"ledger_blockchain_height" + ledgerSel(onNode), "{{" + LabelNode + "}} {{channel}}"})
	b.timeseries("Transactions committed", "Per second, by channel and validation code (peers)", "ops",
		query{"sum by (" + LabelNode + ", channel, validation_code) (rate(ledger_transaction_count" + ledgerSel(onNode) + "[$__rate_interval]))", "{{" + LabelNode + "}} {{channel}} {{validation_code}}"})
	b.timeseries("Endorsements", "Proposals received and endorsed per second (peers)", "ops",
		query{"rate(endorser_proposals_received" + ledgerSel(onNode) + "[$__rate_interval])", "{{" + LabelNode + "}} received"},
		query{"rate(endorser_successful_proposals" + ledgerSel(onNode) + "[$__rate_interval])", "{{" + LabelNode + "}} endorsed"})
	b.timeseries("Broadcast", "Transactions submitted for ordering per second, by channel and status (orderers)", "ops",
		query{"sum by (" + LabelNode + ", channel, status) (rate(broadcast_processed_count" + ledgerSel(onNode) + "[$__rate_interval]))", "{{" + LabelNode + "}} {{channel}} {{status}}"})
	return b.d
}

// fabricConsensus is the ordering service per channel: who leads, how many
// consenters are active, leader churn and the blocks the orderers cut. The panels
// follow the network's algorithm: etcdraft and SmartBFT export different metrics.
func fabricConsensus(algorithm string) *Dashboard {
	b := newBoard("fabric", DashboardConsensus, "Fabric channels and consensus", "Ordering service and channel heights, per channel", channelVariable())
	orderer := onRole(model.RoleOrderer)
	if algorithm == model.SmartBFT {
		b.stat("Leader changes (1h)", "SmartBFT view changes each orderer saw in the last hour: more than a few is a storm", "none",
			query{"changes(consensus_BFT_leader_id" + ledgerSel(orderer, onChannel) + "[1h])", "{{" + LabelNode + "}} {{channel}}"})
		b.timeseries("Leader", "The consenter id each orderer follows as leader", "none",
			query{"consensus_BFT_leader_id" + ledgerSel(orderer, onChannel), "{{" + LabelNode + "}} {{channel}}"})
	} else {
		b.stat("Active consenters", "Consenters each orderer sees active, against the channel's consenter set", "none",
			query{"min by (channel) (consensus_etcdraft_active_nodes" + ledgerSel(orderer, onChannel) + ")", "{{channel}} active"},
			query{"max by (channel) (consensus_etcdraft_cluster_size" + ledgerSel(orderer, onChannel) + ")", "{{channel}} consenters"})
		b.stat("Leader changes (1h)", "Raft elections each orderer saw in the last hour: more than a few is a storm", "none",
			query{"increase(consensus_etcdraft_leader_changes" + ledgerSel(orderer, onChannel) + "[1h])", "{{" + LabelNode + "}} {{channel}}"})
		b.stat("Proposal failures (1h)", "Proposals an orderer could not submit (no leader, or the chain halted)", "none",
			query{"increase(consensus_etcdraft_proposal_failures" + ledgerSel(orderer, onChannel) + "[1h])", "{{" + LabelNode + "}} {{channel}}"})
		b.timeseries("Leader", "1 on the orderer that leads the channel", "none",
			query{"consensus_etcdraft_is_leader" + ledgerSel(orderer, onChannel), "{{" + LabelNode + "}} {{channel}}"})
		b.timeseries("Committed block", "Latest block each orderer committed", "none",
			query{"consensus_etcdraft_committed_block_number" + ledgerSel(orderer, onChannel), "{{" + LabelNode + "}} {{channel}}"})
	}
	b.timeseries("Channel height by node", "Every peer's and orderer's height on the channel", "none",
		query{"ledger_blockchain_height" + ledgerSel(onChannel), "{{namespace}} {{" + LabelNode + "}} {{channel}}"})
	return b.d
}
