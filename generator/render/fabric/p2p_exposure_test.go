package fabric_test

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render"
)

// A node's gRPC port admits its own namespace and, per its cluster's exposure mode,
// the other clusters' egress CIDRs (loadbalancer, which also gets a LoadBalancer
// Service limited to them) or the shared gateway's namespace (istio, haproxy).
func TestGRPCPortAdmitsOtherClustersOnly(t *testing.T) {
	n := referenceNetwork(t)
	parties := renderParties(t, n)
	for _, node := range []string{"contoso-orderer-1", "fabrikam-peer-1", "northwind-peer-1"} {
		party := n.Nodes[node].Party
		var policy networkingv1.NetworkPolicy
		var lb *corev1.Service
		for _, doc := range documents(parties[party]["nodes/"+node+"/node.yaml"]) {
			switch kindOf(t, doc) {
			case "NetworkPolicy":
				yaml.Unmarshal(doc, &policy)
			case "Service":
				var s corev1.Service
				yaml.Unmarshal(doc, &s)
				if s.Spec.Type == corev1.ServiceTypeLoadBalancer {
					lb = &s
				}
			}
		}
		rule := policy.Spec.Ingress[0]
		if rule.Ports[0].Port.IntValue() != n.Nodes[node].Ports.P2P {
			t.Fatalf("%s: first rule is for port %v", node, rule.Ports[0].Port)
		}
		var cidrs, namespaces []string
		own := false
		for _, from := range rule.From {
			switch {
			case from.IPBlock != nil:
				cidrs = append(cidrs, from.IPBlock.CIDR)
			case from.NamespaceSelector != nil:
				namespaces = append(namespaces, from.NamespaceSelector.MatchLabels[corev1.LabelMetadataName])
			case from.PodSelector != nil:
				own = true
			}
		}
		if !own {
			t.Errorf("%s: its own namespace is not admitted", node)
		}
		cluster := n.Clusters[n.Nodes[node].Cluster]
		switch cluster.Exposure.Mode {
		case "loadbalancer":
			if !slices.Equal(cidrs, n.EgressCIDRs()) || lb == nil || !slices.Equal(lb.Spec.LoadBalancerSourceRanges, cidrs) {
				t.Errorf("%s: CIDRs %v, load balancer %v", node, cidrs, lb)
			}
		default:
			if len(cidrs) > 0 || !slices.Equal(namespaces, []string{cluster.Exposure.GatewayNamespace}) {
				t.Errorf("%s (%s): CIDRs %v, namespaces %v", node, cluster.Exposure.Mode, cidrs, namespaces)
			}
		}
	}
}

// The Fabric renderer is the "fabric" platform, registered in one line.
func TestFabricIsARegisteredPlatform(t *testing.T) {
	platform, ok := render.Platforms["fabric"]
	if !ok {
		t.Fatal("render.Platforms has no fabric")
	}
	n := referenceNetwork(t)
	if _, err := platform.Parties(n, peering.Of(n)); err != nil {
		t.Fatal(err)
	}
}
