// Package exposure renders how nodes in other clusters reach a node's p2p port, for
// every ledger platform: the per-mode L4 objects (a LoadBalancer Service, or the CRDs
// of a shared Ambassador, HAProxy or Istio gateway), the sources a node's
// NetworkPolicy admits on that port, and the checklist a shared gateway's operators
// follow. It knows the cluster's exposure mode and nothing of the ledger: the
// platform says which ports, labels and selector a node has.
package exposure

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// ExternalDNSHostname is the external-dns annotation that publishes a Service's name.
const ExternalDNSHostname = "external-dns.alpha.kubernetes.io/hostname"

// Node is one node to expose: the node, where its objects live and how they are
// labelled, the pods that serve it and the Service ports it exposes (TCP; the first is
// the one shared gateways route by).
type Node struct {
	Network   *model.Network
	Node      model.Node
	Namespace string
	Labels    map[string]string
	Selector  map[string]string
	Ports     []corev1.ServicePort
	// PublishNotReady routes to the node's pod before it is ready (LoadBalancer mode).
	PublishNotReady bool
	// Sources are the egress CIDRs of the clusters whose nodes dial this one, sorted
	// (Peers); none when no cluster declares any.
	Sources []string
}

// Objects renders the node's exposure for its cluster's mode. Protocols without SNI
// (RLPx) and TLS passthrough alike are routed by port on shared ingresses (Ambassador,
// HAProxy, Istio): each exposed node of a cluster has its own, which the schema
// guarantees.
func Objects(n Node) ([]any, error) {
	cluster := n.Network.Clusters[n.Node.Cluster]
	node := n.Node
	backend := fmt.Sprintf("%s.%s.svc.cluster.local", node.Name, n.Namespace)
	port := int64(node.Ports.P2P)
	switch cluster.Exposure.Mode {
	case model.ExposeNone:
		return nil, nil
	case model.ExposeLoadBalancer:
		return []any{&corev1.Service{
			TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: metav1.ObjectMeta{
				Name:        node.Name + "-p2p",
				Namespace:   n.Namespace,
				Labels:      n.Labels,
				Annotations: map[string]string{ExternalDNSHostname: node.Endpoint.Host},
			},
			Spec: corev1.ServiceSpec{
				Type: corev1.ServiceTypeLoadBalancer,
				// Local keeps the client's source IP, which the NetworkPolicy checks.
				ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal,
				// Only the clusters of the network may connect.
				LoadBalancerSourceRanges: n.Sources,
				PublishNotReadyAddresses: n.PublishNotReady,
				Selector:                 n.Selector,
				Ports:                    n.Ports,
			},
		}}, nil
	case model.ExposeAmbassador:
		listener := n.custom("getambassador.io/v3alpha1", "Listener", map[string]any{
			"port":          port,
			"protocol":      "TCP",
			"securityModel": "INSECURE",
			"hostBinding":   map[string]any{"namespace": map[string]any{"from": "SELF"}},
		})
		mapping := n.custom("getambassador.io/v3alpha1", "TCPMapping", map[string]any{
			"port":    port,
			"service": fmt.Sprintf("%s:%d", backend, port),
		})
		return []any{listener, mapping}, nil
	case model.ExposeHAProxy:
		return []any{n.custom("ingress.v1.haproxy.org/v1", "TCP", []any{map[string]any{
			"name": node.Name,
			"frontend": map[string]any{
				"name":   node.Name,
				"tcplog": true,
				"binds":  []any{map[string]any{"name": node.Name, "port": port}},
			},
			"service": map[string]any{"name": node.Name, "port": port},
		}})}, nil
	case model.ExposeIstio:
		gateway := n.custom("networking.istio.io/v1", "Gateway", map[string]any{
			"selector": map[string]any{"istio": "ingressgateway"},
			"servers": []any{map[string]any{
				"port":  map[string]any{"number": port, "name": "tcp-" + node.Name, "protocol": "TCP"},
				"hosts": []any{node.Endpoint.Host},
			}},
		})
		virtualService := n.custom("networking.istio.io/v1", "VirtualService", map[string]any{
			"hosts":    []any{node.Endpoint.Host},
			"gateways": []any{node.Name},
			"tcp": []any{map[string]any{
				"match": []any{map[string]any{"port": port}},
				"route": []any{map[string]any{"destination": map[string]any{
					"host": backend,
					"port": map[string]any{"number": port},
				}}},
			}},
		})
		return []any{gateway, virtualService}, nil
	}
	return nil, fmt.Errorf("cluster %s: unknown exposure mode %q", cluster.Name, cluster.Exposure.Mode)
}

// custom builds an object of a CRD flux-ledger has no Go types for.
func (n Node) custom(apiVersion, kind string, spec any) *unstructured.Unstructured {
	labels := map[string]any{}
	for k, v := range n.Labels {
		labels[k] = v
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apiVersion,
		"kind":       kind,
		"metadata": map[string]any{
			"name":      n.Node.Name,
			"namespace": n.Namespace,
			"labels":    labels,
		},
		"spec": spec,
	}}
}

// Peers is where the inbound p2p connections of a node in cluster come from, per
// exposure mode:
//
//	loadbalancer  sources: the egress CIDRs of the clusters whose nodes dial it (source
//	              IP kept by externalTrafficPolicy Local), or anyone when there are
//	              none (a one-cluster network, whose clusters declare no egress)
//	ambassador,   the shared gateway's pods: the gateway terminates the peer's TCP
//	haproxy,      connection and opens its own, so the gateway restricts sources
//	istio         (docs/network-model.md), the node admits the gateway's namespace
//	none          nothing from outside the cluster
//
// and always the party's own namespace, whose nodes may dial each other directly.
func Peers(cluster model.Cluster, sources []string) []networkingv1.NetworkPolicyPeer {
	own := networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{}}
	switch cluster.Exposure.Mode {
	case model.ExposeLoadBalancer:
		if len(sources) == 0 {
			return nil
		}
		peers := []networkingv1.NetworkPolicyPeer{own}
		for _, cidr := range sources {
			peers = append(peers, networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: cidr}})
		}
		return peers
	case model.ExposeAmbassador, model.ExposeHAProxy, model.ExposeIstio:
		return []networkingv1.NetworkPolicyPeer{own, {NamespaceSelector: &metav1.LabelSelector{
			MatchLabels: map[string]string{corev1.LabelMetadataName: cluster.Exposure.GatewayNamespace},
		}}}
	}
	return []networkingv1.NetworkPolicyPeer{own}
}

// GatewayConfigMap names what a shared gateway must provide for a cluster's nodes.
const GatewayConfigMap = "p2p-gateway"

// GatewayRequirements lists, for a cluster behind a shared gateway (ambassador,
// haproxy, istio), what the gateway itself must provide and the party cannot render:
// the DNS name peers dial, one TCP port per node on the gateway's own Service, and the
// sources that Service may admit. The gateway belongs to the cluster's operators (its
// Service and namespace are outside the party's namespace); this is their checklist,
// generated and reviewed with the rest. See docs/network-model.md, "How peers reach each other".
// sources are the egress CIDRs the gateway admits (Peers); meta is the ConfigMap's
// metadata but its name. It is nil when the cluster has no gateway.
func GatewayRequirements(cluster model.Cluster, nodes []model.Node, sources []string, meta metav1.ObjectMeta) *corev1.ConfigMap {
	switch cluster.Exposure.Mode {
	case model.ExposeAmbassador, model.ExposeHAProxy, model.ExposeIstio:
	default:
		return nil
	}
	var ports []string
	for _, n := range nodes {
		ports = append(ports, fmt.Sprintf("%d/TCP %s", n.Endpoint.Port, n.Name))
	}
	slices.Sort(ports)
	meta.Name = GatewayConfigMap
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: meta,
		Data: map[string]string{
			"mode":             cluster.Exposure.Mode,
			"gatewayNamespace": cluster.Exposure.GatewayNamespace,
			// A DNS record for host → the gateway Service's external address.
			"host": cluster.Exposure.Host,
			// Ports the gateway's Service must expose (TCP only).
			"ports": strings.Join(ports, "\n") + "\n",
			// loadBalancerSourceRanges for the gateway's Service.
			"sourceRanges": strings.Join(sources, "\n") + "\n",
		},
	}
}
