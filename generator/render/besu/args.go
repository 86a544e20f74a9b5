package besu

import (
	"path"
	"strconv"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// besuUID is the uid and gid of the besu user in the official image (docker/Dockerfile:
// adduser --uid 1000).
const besuUID = 1000

// besuBinary is Besu's start script in the official image. The container runs it
// directly: the image's entry point, besu-entry.sh, joins its arguments into one string
// and has bash split it again, which would re-split or glob any argument that needs it.
const besuBinary = "/opt/besu/bin/besu"

// Mount paths inside a node's containers.
const (
	dataPath     = "/data"
	genesisPath  = "/config/genesis"
	peersPath    = "/config/peers"
	scriptsPath  = "/config/scripts"
	resolvedPath = "/peers"
	keyPath      = "/secrets"
	votesPath    = "/config/votes"
)

// podIPEnv holds the pod's IP (downward API, status.podIP); Kubernetes expands
// $(POD_IP) in the container's arguments.
const podIPEnv = "POD_IP"

// Args are Besu's command-line arguments for a node.
func Args(network *model.Network, node model.Node) []string {
	args := []string{
		"--data-path=" + dataPath,
		"--genesis-file=" + path.Join(genesisPath, GenesisFile),
		"--node-private-key-file=" + path.Join(keyPath, identity.NodeKeyEntry),
		"--p2p-enabled=true",
		"--p2p-interface=0.0.0.0",
		// The advertised host must be an IP: Besu refuses a DNS name at start-up even
		// with discovery off. Peers never dial it (they dial the names in their static
		// nodes), so the pod's own IP is the honest value.
		"--p2p-host=$(" + podIPEnv + ")",
		"--p2p-port=" + strconv.Itoa(node.Ports.P2P),
		"--nat-method=NONE",
		"--discovery-enabled=false",
		// The static nodes wait-for-peers wrote: only peers whose names resolve.
		"--static-nodes-file=" + path.Join(resolvedPath, StaticNodesFile),
		// Enode URLs carry DNS names, not IPs: Besu must resolve them, and re-resolve
		// them when a load balancer's address changes.
		"--Xdns-enabled=true",
		"--Xdns-update-enabled=true",
		"--sync-mode=FULL",
		"--data-storage-format=" + node.Storage.Format,
	}
	if node.Storage.Format == model.StorageBonsai {
		// Besu forces this with FULL sync and BONSAI anyway (with a warning); say it.
		args = append(args, "--bonsai-limit-trie-logs-enabled=false")
	}
	args = append(args,
		"--min-gas-price=0",
		"--metrics-enabled=true",
		"--metrics-host=0.0.0.0",
		"--metrics-port="+strconv.Itoa(node.Ports.Metrics),
		// The metrics server checks the Host header against this list too (default
		// localhost only): a scraper reaches the pod by its IP or Service name.
		"--host-allowlist=*",
		"--logging=INFO",
	)
	if node.Role == model.RoleRPC {
		api := "ETH,NET,WEB3,TXPOOL," + ConsensusAPI(network)
		return append(args,
			"--rpc-http-enabled=true",
			"--rpc-http-host=0.0.0.0",
			"--rpc-http-port="+strconv.Itoa(node.Ports.RPC),
			"--rpc-http-api="+api,
			// The public HTTP listener must not carry ADMIN, and Besu has one HTTP
			// listener (one --rpc-http-host). Its WebSocket listener has its own host
			// and API list (RpcWebsocketOptions): ADMIN there, on 127.0.0.1 only, for
			// the node's peer-sync sidecar.
			"--rpc-ws-enabled=true",
			"--rpc-ws-host=127.0.0.1",
			"--rpc-ws-port="+strconv.Itoa(AdminWSPort(node)),
			"--rpc-ws-api=ADMIN",
		)
	}
	// Every other node serves the ADMIN API on loopback only, for its peer-sync sidecar
	// (admin_addPeer, admin_removePeer) and its readiness probe (/readiness); a
	// validator also the consensus API, for its validator-vote sidecar. Nothing outside
	// the pod can vote through it.
	api := "ADMIN"
	if node.IsValidator() {
		api += "," + ConsensusAPI(network)
	}
	return append(args,
		"--rpc-http-enabled=true",
		"--rpc-http-host=127.0.0.1",
		"--rpc-http-port="+strconv.Itoa(node.Ports.RPC),
		"--rpc-http-api="+api,
	)
}

// ConsensusAPI is the name, in --rpc-http-api, of the API that serves the network's
// validator methods (<qbft|ibft>_proposeValidatorVote, _getValidatorsByBlockNumber, …):
// QBFT or IBFT (Besu's RpcApis; QbftJsonRpcMethods and IbftJsonRpcMethods register
// under them).
func ConsensusAPI(network *model.Network) string { return consensusAPI(network.Consensus.Algorithm) }

func consensusAPI(algorithm string) string {
	return map[string]string{model.QBFT: "QBFT", model.IBFT2: "IBFT"}[algorithm]
}

// AdminWSPort is the loopback port of an RPC node's WebSocket listener (ADMIN only):
// Besu's default, 8546, or the first port above it that the node does not use already.
func AdminWSPort(node model.Node) int {
	port := 8546
	for port == node.Ports.P2P || port == node.Ports.RPC || port == node.Ports.Metrics {
		port++
	}
	return port
}
