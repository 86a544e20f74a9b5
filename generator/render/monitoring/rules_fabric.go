package monitoring

import (
	"fmt"
	"strings"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Fabric thresholds; Fabric cuts a block only when transactions arrive, so unlike a
// BFT Besu chain an idle channel makes no block and "no new block" is no alert.
const (
	// heightDivergence blocks between two peers of one channel, for divergeFor, is a
	// peer that stopped committing: under load peers differ by a block or two while
	// each commits, never by this many for this long.
	heightDivergence = 10
	divergeFor       = 10 * time.Minute
	// leaderChanges elections within leaderWindow is an unstable consenter set (a
	// network flapping between orderers, or an orderer restarting): a healthy Raft or
	// SmartBFT cluster keeps its leader for hours.
	leaderChanges = 3
	leaderWindow  = 15 * time.Minute
	// proposalFailuresFor: an orderer whose proposals fail this long has no leader.
	proposalFailuresFor = 5 * time.Minute
	// submitStuckAfter: a channel update's submit Job runs in seconds once the
	// orderers answer; its pods are retried with the Job controller's back-off (10 s,
	// doubling, at most 6 minutes; lifecycle.BackoffLimit, 12 pods over about an
	// hour), so after 30 minutes about nine attempts failed: far past an orderer's
	// restart, an update the orderers refuse.
	submitStuckAfter = 30 * time.Minute
)

// submitJobs matches the names of the channel update submit Jobs: lifecycle renders
// each as "submit-<channel>-<sequence>-<hash>" (render/fabric/lifecycle/submit.go,
// hashedName keeps the "submit-" prefix whatever the channel's length), and no other
// Job of a party's namespace starts so.
const submitJobs = "submit-.+"

// channelUpdateStuck alerts on a channel config update whose submit Job has not
// succeeded submitStuckAfter after it was created: it is still failing, or gave up.
// Fabric exports no metric of pending config updates; kube-state-metrics exports the
// Job (v2.20.0 internal/store/job.go: kube_job_created, the Job's creation time in
// Unix seconds, and kube_job_status_succeeded, its succeeded pods, labelled
// namespace and job_name). A finished Job stays (no TTL: lifecycle jobs.go), so a
// submitted update stays silent.
func channelUpdateStuck(namespace string) monitoringv1.Rule {
	job := fmt.Sprintf("{namespace=%q, job_name=~%q}", namespace, submitJobs)
	return alert("FabricChannelUpdateStuck",
		fmt.Sprintf("time() - kube_job_created%[1]s > %[2]d unless on (namespace, job_name) kube_job_status_succeeded%[1]s > 0", job, int(submitStuckAfter/time.Second)),
		0, SeverityWarning,
		"Job {{ $labels.job_name }} has not submitted its channel config update {{ $value | humanizeDuration }} after it was created",
		"kubectl -n "+namespace+" logs job/{{ $labels.job_name }} shows the orderer's answer (a signature policy not met, a stale config sequence: run flux-ledger status and channels record); once fixed, delete the Job and Flux re-creates it")
}

// fabricRules are the Fabric alerts for the cluster's peers and orderers.
func fabricRules(network *model.Network, party model.Party, nodes []model.Node, s scope) ([]monitoringv1.Rule, error) {
	var peers, orderers int
	for _, n := range nodes {
		switch n.Role {
		case model.RolePeer:
			peers++
		case model.RoleOrderer:
			orderers++
		}
	}
	var rules []monitoringv1.Rule
	peer := s.sel(fmt.Sprintf("%s=%q", LabelRole, model.RolePeer))
	if peers > 1 {
		rules = append(rules, alert("FabricPeerHeightDiverging",
			fmt.Sprintf("max by (namespace, channel) (ledger_blockchain_height%[1]s) - min by (namespace, channel) (ledger_blockchain_height%[1]s) > %[2]d", peer, heightDivergence),
			divergeFor, SeverityWarning,
			fmt.Sprintf("The peers of %s on channel {{ $labels.channel }} differ by {{ $value }} blocks (more than %d for %s)", s.namespace, heightDivergence, promDuration(divergeFor)),
			"Compare ledger_blockchain_height of the party's peers on the channel: the lowest one stopped committing; check its deliver connection to the orderers and its CouchDB sidecar"))
	}
	if peers > 0 {
		// Submit Jobs run in a cluster of the party that runs a peer (lifecycle
		// SubmitObjects needs one for the peer CLI's settings).
		rules = append(rules, channelUpdateStuck(s.namespace))
		if expr := gossipExpectation(network, peer); expr != "" {
			rules = append(rules, alert("FabricPeersBelowTopology", expr,
				peersFor, SeverityWarning,
				"{{ $labels.ledger_node }} knows {{ $value }} peers on channel {{ $labels.channel }}, fewer than the channel's members run",
				"Gossip finds other organisations' peers through the anchor peers in the channel config: check that their endpoints (flux-ledger plan) are reachable from this cluster"))
		}
	}
	if orderers > 0 {
		orderer := s.sel(fmt.Sprintf("%s=%q", LabelRole, model.RoleOrderer))
		if network.Consensus.Algorithm == model.SmartBFT {
			rules = append(rules, alert("FabricBFTLeaderChangesStorm",
				fmt.Sprintf("changes(consensus_BFT_leader_id%s[%s]) > %d", orderer, promDuration(leaderWindow), leaderChanges),
				0, SeverityWarning,
				fmt.Sprintf("{{ $labels.ledger_node }} saw the SmartBFT leader of {{ $labels.channel }} change more than %d times in %s", leaderChanges, promDuration(leaderWindow)),
				"View changes storm when consenters cannot reach the leader in time: check the consenters' cluster connections and clocks"))
		} else {
			rules = append(rules,
				alert("FabricRaftLeaderChangesStorm",
					fmt.Sprintf("increase(consensus_etcdraft_leader_changes%s[%s]) > %d", orderer, promDuration(leaderWindow), leaderChanges),
					0, SeverityWarning,
					fmt.Sprintf("{{ $labels.ledger_node }} saw the Raft leader of {{ $labels.channel }} change more than %d times in %s", leaderChanges, promDuration(leaderWindow)),
					"Raft re-elects when followers miss the leader's heartbeats: check the consenters' cluster connections (port p2p) across parties and whether an orderer keeps restarting"),
				alert("FabricRaftProposalFailures",
					fmt.Sprintf("increase(consensus_etcdraft_proposal_failures%s[%s]) > 0", orderer, promDuration(proposalFailuresFor)),
					proposalFailuresFor, SeverityCritical,
					"{{ $labels.ledger_node }} cannot order transactions on {{ $labels.channel }}: its proposals fail (no Raft leader)",
					"Fabric v2.5: Chain.Submit counts a failure when no leader is elected or the chain is halted; a Raft channel needs a majority of its consenters online"))
		}
	}
	certs, err := certificateRules(network, party, nodes)
	if err != nil {
		return nil, err
	}
	return append(rules, certs...), nil
}

// gossipExpectation is the expression comparing each peer's gossip membership on a
// channel with the topology: every other peer of the channel's member parties.
// Fabric's membership gauge counts the alive peers of the channel other than the
// peer itself (v2.5.16: gossip/gossip/channel/channel.go, trackMembershipChanges
// sets it to len(GetPeers())).
func gossipExpectation(network *model.Network, peerSel string) string {
	if network.Fabric == nil {
		return ""
	}
	peersByParty := map[string]int{}
	for _, n := range network.Nodes {
		if n.Role == model.RolePeer {
			peersByParty[n.Party]++
		}
	}
	var terms []string
	for _, name := range network.Fabric.ChannelNames() {
		expected := -1
		for _, m := range network.Fabric.Channels[name].Members {
			expected += peersByParty[m]
		}
		if expected < 1 {
			continue
		}
		sel := strings.TrimSuffix(peerSel, "}") + fmt.Sprintf(", channel=%q}", name)
		terms = append(terms, fmt.Sprintf("(gossip_membership_total_peers_known%s < %d)", sel, expected))
	}
	return strings.Join(terms, " or ")
}
