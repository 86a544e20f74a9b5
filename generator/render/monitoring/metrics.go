package monitoring

// The versions whose sources the metric table was read from. The ledgers' images in
// the reference networks carry these tags (cue/network.cue, examples/fabric); a test
// fails when they move, so that the table is read again for the new release.
const (
	BesuVersion    = "24.12.2"
	FabricVersion2 = "2.5.16"
	FabricVersion3 = "3.1.5"
)

// Metric is one series name the alerting rules or the dashboards read, where it is
// defined, and which labels they rely on besides the ones the scrape adds
// (namespace, pod, job).
type Metric struct {
	Name   string
	Type   string // gauge or counter, as the source declares it
	Labels []string
	Source string // repository@version:path of the definition
}

// Metrics is every series name a rule or a dashboard may use. The names are not guessed from
// dashboards: each was read in the definition it cites.
//
// Besu builds a name as [application prefix] + category + "_" + name
// (metrics/core/.../prometheus/CategorizedPrometheusCollector.java, prefixedName): the
// ETHEREUM category has no prefix (BesuMetricCategory.java: ETHEREUM("ethereum",
// false)) and BLOCKCHAIN, SYNCHRONIZER and PEERS carry "besu_" (BESU_PREFIX).
//
// Fabric builds it as Namespace_Subsystem_Name from the options beside each
// component (go-kit metrics over the Prometheus client), listed in
// docs/source/metrics_reference.rst; counters keep their name (no _total suffix).
// Fabric exports no certificate expiry metric in either release (no metric in
// metrics_reference.rst or any metrics.go mentions expiry): the certificate rules are
// computed from the certificates the repository holds (certs.go).
var Metrics = []Metric{
	{
		Name: "ethereum_blockchain_height", Type: "gauge",
		Source: "hyperledger/besu@" + BesuVersion + ":ethereum/core/src/main/java/org/hyperledger/besu/ethereum/chain/DefaultBlockchain.java",
	},
	{
		Name: "besu_blockchain_chain_head_timestamp", Type: "gauge",
		Source: "hyperledger/besu@" + BesuVersion + ":ethereum/core/src/main/java/org/hyperledger/besu/ethereum/chain/DefaultBlockchain.java",
	},
	{
		Name: "ethereum_best_known_block_number", Type: "gauge",
		Source: "hyperledger/besu@" + BesuVersion + ":ethereum/eth/src/main/java/org/hyperledger/besu/ethereum/eth/sync/DefaultSynchronizer.java",
	},
	{
		Name: "ethereum_peer_count", Type: "gauge",
		Source: "hyperledger/besu@" + BesuVersion + ":ethereum/eth/src/main/java/org/hyperledger/besu/ethereum/eth/manager/EthPeers.java",
	},
	{
		Name: "ledger_blockchain_height", Type: "gauge", Labels: []string{"channel"},
		Source: "hyperledger/fabric@v" + FabricVersion2 + ":common/ledger/blkstorage/metrics.go (same in v" + FabricVersion3 + ")",
	},
	{
		Name: "gossip_membership_total_peers_known", Type: "gauge", Labels: []string{"channel"},
		Source: "hyperledger/fabric@v" + FabricVersion2 + ":gossip/metrics/metrics.go (same in v" + FabricVersion3 + ")",
	},
	{
		Name: "consensus_etcdraft_leader_changes", Type: "counter", Labels: []string{"channel"},
		Source: "hyperledger/fabric@v" + FabricVersion2 + ":orderer/consensus/etcdraft/metrics.go (same in v" + FabricVersion3 + ")",
	},
	{
		Name: "consensus_etcdraft_proposal_failures", Type: "counter", Labels: []string{"channel"},
		Source: "hyperledger/fabric@v" + FabricVersion2 + ":orderer/consensus/etcdraft/metrics.go (same in v" + FabricVersion3 + ")",
	},
	{
		Name: "besu_blockchain_chain_head_transaction_count", Type: "gauge",
		Source: "hyperledger/besu@" + BesuVersion + ":ethereum/core/src/main/java/org/hyperledger/besu/ethereum/chain/DefaultBlockchain.java",
	},
	{
		Name: "ledger_transaction_count", Type: "counter", Labels: []string{"channel", "validation_code"},
		Source: "hyperledger/fabric@v" + FabricVersion2 + ":core/ledger/kvledger/metrics.go (same in v" + FabricVersion3 + ")",
	},
	{
		Name: "endorser_proposals_received", Type: "counter",
		Source: "hyperledger/fabric@v" + FabricVersion2 + ":core/endorser/metrics.go (same in v" + FabricVersion3 + ")",
	},
	{
		Name: "endorser_successful_proposals", Type: "counter",
		Source: "hyperledger/fabric@v" + FabricVersion2 + ":core/endorser/metrics.go (same in v" + FabricVersion3 + ")",
	},
	{
		Name: "broadcast_processed_count", Type: "counter", Labels: []string{"channel", "status"},
		Source: "hyperledger/fabric@v" + FabricVersion2 + ":orderer/common/broadcast/metrics.go (same in v" + FabricVersion3 + ")",
	},
	{
		Name: "consensus_etcdraft_is_leader", Type: "gauge", Labels: []string{"channel"},
		Source: "hyperledger/fabric@v" + FabricVersion2 + ":orderer/consensus/etcdraft/metrics.go (same in v" + FabricVersion3 + ")",
	},
	{
		Name: "consensus_etcdraft_active_nodes", Type: "gauge", Labels: []string{"channel"},
		Source: "hyperledger/fabric@v" + FabricVersion2 + ":orderer/consensus/etcdraft/metrics.go (same in v" + FabricVersion3 + ")",
	},
	{
		Name: "consensus_etcdraft_cluster_size", Type: "gauge", Labels: []string{"channel"},
		Source: "hyperledger/fabric@v" + FabricVersion2 + ":orderer/consensus/etcdraft/metrics.go (same in v" + FabricVersion3 + ")",
	},
	{
		Name: "consensus_etcdraft_committed_block_number", Type: "gauge", Labels: []string{"channel"},
		Source: "hyperledger/fabric@v" + FabricVersion2 + ":orderer/consensus/etcdraft/metrics.go (same in v" + FabricVersion3 + ")",
	},
	{
		Name: "consensus_BFT_leader_id", Type: "gauge", Labels: []string{"channel"},
		Source: "hyperledger/fabric@v" + FabricVersion3 + ":orderer/consensus/smartbft/metrics.go",
	},
	{
		// Not a ledger's: kube-state-metrics', which the Prometheus Operator's usual
		// distributions (kube-prometheus) run and scrape with the pod's own labels.
		Name: "kube_pod_container_status_restarts_total", Type: "counter", Labels: []string{"container"},
		Source: "kubernetes/kube-state-metrics@v2.20.0:docs/metrics/workload/pod-metrics.md",
	},
	{
		// Not Flux's own export: kube-state-metrics builds it from each Kustomization
		// with the custom resource state configuration of Flux's monitoring guide
		// (an Info metric: always 1, the state in its labels; kube-state-metrics adds
		// customresource_kind, docs/metrics/extend/customresourcestate-metrics.md).
		Name: "gotk_resource_info", Type: "gauge", Labels: []string{"customresource_kind", "exported_namespace", "name", "ready", "suspended"},
		Source: "fluxcd/flux2-monitoring-example@0cb8306832a66fd28e896f56d126c69ef8cdfdd0:monitoring/controllers/kube-prometheus-stack/kube-state-metrics-config.yaml",
	},
	{
		// kube-state-metrics' Job metrics (labels namespace, job_name): the channel
		// update submit Jobs' creation time in Unix seconds, and their succeeded pods.
		Name: "kube_job_created", Type: "gauge", Labels: []string{"job_name"},
		Source: "kubernetes/kube-state-metrics@v2.20.0:internal/store/job.go (docs/metrics/workload/job-metrics.md)",
	},
	{
		Name: "kube_job_status_succeeded", Type: "gauge", Labels: []string{"job_name"},
		Source: "kubernetes/kube-state-metrics@v2.20.0:internal/store/job.go (docs/metrics/workload/job-metrics.md)",
	},
	{
		// Prometheus' own per-target series: 1 when the last scrape succeeded.
		Name: "up", Type: "gauge",
		Source: "prometheus/prometheus@v0.316.0:scrape/scrape.go (scrapeHealthMetric)",
	},
}
