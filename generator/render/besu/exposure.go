package besu

import (
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/exposure"
)

// ExternalDNSHostname is the external-dns annotation that publishes a Service's name.
const ExternalDNSHostname = exposure.ExternalDNSHostname

// GatewayConfigMap names what a shared gateway must provide for a cluster's nodes.
const GatewayConfigMap = exposure.GatewayConfigMap

// exposure renders how peers in other clusters reach the node's RLPx port (see package
// exposure). RLPx has no SNI, so shared ingresses route by port.
func (r *partyRenderer) exposure(node model.Node) ([]any, error) {
	return exposure.Objects(exposure.Node{
		Network:   r.network,
		Node:      node,
		Namespace: r.party.Namespace,
		Labels:    r.labels(node.Name),
		Selector:  selectorOf(node),
		Ports:     p2pServicePorts(node),
		// A node with no peer is not ready, and it gets no peer if its load balancer
		// stops sending it traffic: route to it regardless.
		PublishNotReady: true,
		Sources:         r.sources,
	})
}

// p2pPeers is where a node's inbound p2p connections come from (exposure.Peers): the
// clusters of the parties whose nodes list it (peering.Graph.Sources).
func (r *partyRenderer) p2pPeers(node model.Node) []networkingv1.NetworkPolicyPeer {
	return exposure.Peers(r.network.Clusters[node.Cluster], r.sources)
}
