package besu

import (
	"encoding/json"
	"net"
	"regexp"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Besu 24.12.2: ethereum/p2p/.../discovery/PeerDiscoveryAgent.java validateConfiguration
// rejects an advertised host that is not an IP (InetAddresses.isInetAddress), and the
// agent is built even with --discovery-enabled=false; Besu 26.2.0 rejects it earlier, in
// app/.../cli/options/P2PDiscoveryOptions.java ("--p2p-host must be an IPv4 address").
// So --p2p-host is $(POD_IP), which Kubernetes expands from the container's environment
// (k8s.io/api core/v1 types.go, Container.Args: "Variable references $(VAR_NAME) are
// expanded using the container's environment"), and POD_IP comes from status.podIP.
// Every other host option Besu binds is an IP literal.
func TestNoDNSNameWhereBesuNeedsAnIP(t *testing.T) {
	for name, r := range renderNodes(t, reference(t)) {
		besu := container(t, r.sts, "besu")
		opts := options(t, besu.Args)
		if opts["--p2p-host"] != "$(POD_IP)" {
			t.Errorf("%s: --p2p-host=%s, want $(POD_IP)", name, opts["--p2p-host"])
		}
		var podIP *corev1.EnvVar
		for i, env := range besu.Env {
			if env.Name == "POD_IP" {
				podIP = &besu.Env[i]
			}
		}
		if podIP == nil || podIP.ValueFrom == nil || podIP.ValueFrom.FieldRef == nil || podIP.ValueFrom.FieldRef.FieldPath != "status.podIP" {
			t.Errorf("%s: POD_IP is not the downward-API status.podIP: %+v", name, podIP)
		}
		for _, option := range []string{"--p2p-interface", "--metrics-host", "--rpc-http-host"} {
			if net.ParseIP(opts[option]) == nil {
				t.Errorf("%s: %s=%q is not an IP", name, option, opts[option])
			}
		}
	}
}

// Besu 24.12.2 matches an inbound peer against the node allowlist by node id, source IP
// and port (ethereum/permissioning/.../NodeLocalConfigPermissioningController.java
// isPermitted → ethereum/p2p/.../peers/EnodeURLImpl.java sameListeningEndpoint, which
// compares getIp()). Behind a load balancer, NAT or gateway the source IP is never the
// peer's DNS address, so no allowlist is rendered: membership is the exposure's job.
func TestNoNodeAllowlist(t *testing.T) {
	network := reference(t)
	for _, name := range network.NodeNames() {
		for option := range options(t, Args(network, network.Nodes[name])) {
			if strings.HasPrefix(option, "--permissions-") {
				t.Errorf("%s: %s rendered", name, option)
			}
		}
	}
	shared, err := RenderShared(network)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(shared.Peers), "permissions_config.toml") {
		t.Error("peers ConfigMap still carries an allowlist")
	}
}

// The p2p exposure admits exactly the clusters' declared egress CIDRs (computed here
// from the model, not by the renderer's helper), TCP only (UDP is discovery, which is
// off), and routes to a node that is not ready yet: a node with no peer is not ready,
// and would never get one if its load balancer dropped it (k8s.io/api discovery/v1
// types.go EndpointConditions.Ready: readiness "can be overridden ... when the
// associated Service has set the publishNotReadyAddresses flag").
func TestLoadBalancerAdmitsOnlyTheClustersEgress(t *testing.T) {
	network := reference(t)
	want := map[string]bool{}
	for _, c := range network.Clusters {
		for _, cidr := range c.EgressCIDRs {
			want[cidr] = true
		}
	}
	if len(want) == 0 {
		t.Fatal("the reference network declares no egress CIDRs")
	}
	seen := 0
	for name, r := range renderNodes(t, network) {
		for _, svc := range r.services {
			if svc.Spec.Type != corev1.ServiceTypeLoadBalancer {
				continue
			}
			seen++
			got := map[string]bool{}
			for _, cidr := range svc.Spec.LoadBalancerSourceRanges {
				got[cidr] = true
			}
			if len(got) != len(want) || len(svc.Spec.LoadBalancerSourceRanges) != len(want) {
				t.Errorf("%s: loadBalancerSourceRanges %v, want %v", name, svc.Spec.LoadBalancerSourceRanges, want)
			}
			for cidr := range want {
				if !got[cidr] {
					t.Errorf("%s: %s missing from loadBalancerSourceRanges", name, cidr)
				}
			}
			if !svc.Spec.PublishNotReadyAddresses || svc.Spec.ExternalTrafficPolicy != corev1.ServiceExternalTrafficPolicyLocal {
				t.Errorf("%s: publishNotReadyAddresses %v, externalTrafficPolicy %s", name, svc.Spec.PublishNotReadyAddresses, svc.Spec.ExternalTrafficPolicy)
			}
		}
		// The NetworkPolicy's p2p rule: ipBlocks are exactly the egress CIDRs.
		if network.Clusters[network.Nodes[name].Cluster].Exposure.Mode == model.ExposeLoadBalancer {
			var blocks []string
			for _, peer := range r.policy.Spec.Ingress[0].From {
				if peer.IPBlock != nil {
					blocks = append(blocks, peer.IPBlock.CIDR)
				}
			}
			if len(blocks) != len(want) {
				t.Errorf("%s: p2p ipBlocks %v, want %v", name, blocks, want)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no LoadBalancer Service rendered")
	}
}

// Behind a shared gateway the node sees the gateway's pods as the source: its policy
// admits the gateway's namespace (and the party's own pods), never the whole world.
// With exposure none it admits only the party's own pods.
func TestNodePolicyAdmitsWhereP2PArrivesFrom(t *testing.T) {
	network := reference(t)
	nodes := renderNodes(t, network)
	for name, r := range nodes {
		cluster := network.Clusters[network.Nodes[name].Cluster]
		from := r.policy.Spec.Ingress[0].From
		if len(from) == 0 {
			t.Errorf("%s: p2p open to everyone", name)
			continue
		}
		switch cluster.Exposure.Mode {
		case model.ExposeAmbassador, model.ExposeHAProxy, model.ExposeIstio:
			var namespaces []string
			for _, peer := range from {
				if peer.NamespaceSelector != nil {
					namespaces = append(namespaces, peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"])
				}
			}
			if !slices.Equal(namespaces, []string{cluster.Exposure.GatewayNamespace}) {
				t.Errorf("%s: p2p admitted from namespaces %v, want [%s]", name, namespaces, cluster.Exposure.GatewayNamespace)
			}
		}
	}
	single := clone(network)
	for name, c := range single.Clusters {
		c.Exposure = model.Exposure{Mode: model.ExposeNone}
		single.Clusters[name] = c
	}
	for name, r := range renderNodes(t, single) {
		from := r.policy.Spec.Ingress[0].From
		if len(from) != 1 || from[0].PodSelector == nil || from[0].IPBlock != nil || from[0].NamespaceSelector != nil {
			t.Errorf("%s (exposure none): p2p admitted from %+v, want the own namespace only", name, from)
		}
	}
}

// With --discovery-enabled=false nothing listens on UDP: no Service, container port or
// NetworkPolicy opens it.
func TestNoUDP(t *testing.T) {
	for party, files := range renderNetwork(t, reference(t)) {
		for path, data := range files {
			if strings.Contains(string(data), "UDP") {
				t.Errorf("%s/%s mentions UDP", party, path)
			}
		}
	}
}

// Besu 24.12.2 EnodeURLImpl.fromURI: the node id is 128 hex digits (64 bytes) with no
// 0x, the host resolved by DNS with --Xdns-enabled; every party carries the same list,
// and each entry names its node's endpoint.
var enodeForm = regexp.MustCompile(`^enode://([0-9a-f]{128})@([a-z0-9.-]+):([0-9]+)$`)

func TestStaticNodesAreEnodesOfEveryEndpoint(t *testing.T) {
	network := reference(t)
	rendered := renderNetwork(t, network)
	var first []byte
	for party, files := range rendered {
		data := files["shared/peers.yaml"]
		if first == nil {
			first = data
		} else if string(data) != string(first) {
			t.Errorf("party %s has another peer list", party)
		}
	}
	var cm corev1.ConfigMap
	if err := yaml.UnmarshalStrict(first, &cm); err != nil {
		t.Fatal(err)
	}
	var enodes []string
	if err := json.Unmarshal([]byte(cm.Data[StaticNodesFile]), &enodes); err != nil {
		t.Fatal(err)
	}
	if len(enodes) != len(network.Nodes) {
		t.Fatalf("%d static nodes for %d nodes", len(enodes), len(network.Nodes))
	}
	byID := map[string]string{}
	for _, enode := range enodes {
		m := enodeForm.FindStringSubmatch(enode)
		if m == nil {
			t.Errorf("malformed enode %q", enode)
			continue
		}
		byID[m[1]] = m[2] + ":" + m[3]
	}
	for name, node := range network.Nodes {
		id := strings.TrimPrefix(network.Identities[name].PublicKey, "0x")
		if got, want := byID[id], node.Endpoint.Host+":"+itoa(node.Endpoint.Port); got != want {
			t.Errorf("%s: enode endpoint %q, want %q", name, got, want)
		}
	}
}

// Behind a shared gateway the party cannot open ports on the gateway's Service or
// publish its DNS name; it renders the list of what the gateway must provide: the host,
// one TCP port per node (each node's endpoint port), and the admitted sources.
func TestGatewayRequirementsListEveryExposedNode(t *testing.T) {
	network := reference(t)
	rendered := renderNetwork(t, network)
	for _, cname := range network.ClusterNames() {
		cluster := network.Clusters[cname]
		data, ok := rendered[cluster.Party]["clusters/"+cname+"/p2p-gateway.yaml"]
		shared := cluster.Exposure.Mode != model.ExposeLoadBalancer && cluster.Exposure.Mode != model.ExposeNone
		if ok != shared {
			t.Errorf("%s (%s): p2p-gateway.yaml rendered %v", cname, cluster.Exposure.Mode, ok)
			continue
		}
		if !ok {
			continue
		}
		var cm corev1.ConfigMap
		if err := yaml.UnmarshalStrict(data, &cm); err != nil {
			t.Fatal(err)
		}
		if cm.Data["host"] != cluster.Exposure.Host || cm.Data["gatewayNamespace"] != cluster.Exposure.GatewayNamespace {
			t.Errorf("%s: %v", cname, cm.Data)
		}
		for _, node := range network.Nodes {
			line := itoa(node.Endpoint.Port) + "/TCP " + node.Name
			if (node.Cluster == cname) != strings.Contains(cm.Data["ports"], line+"\n") {
				t.Errorf("%s: ports %q and node %s", cname, cm.Data["ports"], node.Name)
			}
		}
		for _, cidr := range network.EgressCIDRs() {
			if !strings.Contains(cm.Data["sourceRanges"], cidr+"\n") {
				t.Errorf("%s: %s missing from sourceRanges", cname, cidr)
			}
		}
	}
}
