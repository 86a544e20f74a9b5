package besu

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// ExternalDNSHostname is the external-dns annotation that publishes a Service's name.
const ExternalDNSHostname = "external-dns.alpha.kubernetes.io/hostname"

// exposure renders how peers in other clusters reach the node's p2p port. RLPx has no
// SNI, so shared ingresses (Ambassador, HAProxy, Istio) route by port: each exposed
// node of a cluster has its own, which the schema guarantees.
func (r *partyRenderer) exposure(node model.Node) ([]any, error) {
	cluster := r.network.Clusters[node.Cluster]
	backend := fmt.Sprintf("%s.%s.svc.cluster.local", node.Name, r.party.Namespace)
	port := int64(node.Ports.P2P)
	switch cluster.Exposure.Mode {
	case model.ExposeNone:
		return nil, nil
	case model.ExposeLoadBalancer:
		meta := r.meta(node.Name+"-p2p", node.Name)
		meta.Annotations = map[string]string{ExternalDNSHostname: node.Endpoint.Host}
		return []any{&corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: meta,
			Spec: corev1.ServiceSpec{
				Type:                  corev1.ServiceTypeLoadBalancer,
				ExternalTrafficPolicy: corev1.ServiceExternalTrafficPolicyLocal,
				Selector:              selectorOf(node),
				Ports:                 p2pServicePorts(node),
			},
		}}, nil
	case model.ExposeAmbassador:
		listener := r.custom("getambassador.io/v3alpha1", "Listener", node, map[string]any{
			"port":          port,
			"protocol":      "TCP",
			"securityModel": "INSECURE",
			"hostBinding":   map[string]any{"namespace": map[string]any{"from": "SELF"}},
		})
		mapping := r.custom("getambassador.io/v3alpha1", "TCPMapping", node, map[string]any{
			"port":    port,
			"service": fmt.Sprintf("%s:%d", backend, port),
		})
		return []any{listener, mapping}, nil
	case model.ExposeHAProxy:
		return []any{r.custom("ingress.v1.haproxy.org/v1", "TCP", node, []any{map[string]any{
			"name": node.Name,
			"frontend": map[string]any{
				"name":   node.Name,
				"tcplog": true,
				"binds":  []any{map[string]any{"name": node.Name, "port": port}},
			},
			"service": map[string]any{"name": node.Name, "port": port},
		}})}, nil
	case model.ExposeIstio:
		gateway := r.custom("networking.istio.io/v1", "Gateway", node, map[string]any{
			"selector": map[string]any{"istio": "ingressgateway"},
			"servers": []any{map[string]any{
				"port":  map[string]any{"number": port, "name": "tcp-" + node.Name, "protocol": "TCP"},
				"hosts": []any{node.Endpoint.Host},
			}},
		})
		virtualService := r.custom("networking.istio.io/v1", "VirtualService", node, map[string]any{
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
func (r *partyRenderer) custom(apiVersion, kind string, node model.Node, spec any) *unstructured.Unstructured {
	labels := map[string]any{}
	for k, v := range r.labels(node.Name) {
		labels[k] = v
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": apiVersion,
		"kind":       kind,
		"metadata": map[string]any{
			"name":      node.Name,
			"namespace": r.party.Namespace,
			"labels":    labels,
		},
		"spec": spec,
	}}
}
