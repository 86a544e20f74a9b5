package besu

import (
	"fmt"
	"path"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/flux-ledger/flux-ledger/generator/manifest"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/exposure"
	"github.com/flux-ledger/flux-ledger/generator/render/partydir"
	"github.com/flux-ledger/flux-ledger/generator/render/workload"
)

func (r *partyRenderer) meta(name, node string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: r.party.Namespace, Labels: r.labels(node)}
}

// shared renders shared/: the network-wide ConfigMaps (identical bytes in every party),
// placed in the party's namespace and labelled with the party by its kustomization,
// and the party's default-deny policy.
func (r *partyRenderer) shared(shared *Shared) error {
	r.files[GenesisPath] = shared.Genesis
	peers := shared.Peers
	if peers == nil {
		var err error
		if peers, err = peersConfigMap(r.network, shared.Peering.Nodes(r.party.Name)); err != nil {
			return err
		}
	}
	r.files["shared/peers.yaml"] = peers
	r.files["shared/scripts.yaml"] = shared.Scripts
	r.files["shared/validator-votes.yaml"] = shared.Votes
	if err := r.files.Add("shared/networkpolicy.yaml", r.defaultDeny()); err != nil {
		return err
	}
	return r.files.AddKustomization("shared", partydir.SharedKustomization(r.party, []string{"genesis.yaml", "peers.yaml", "scripts.yaml", "validator-votes.yaml", "networkpolicy.yaml"}))
}

// cluster renders parties/<party>/clusters/<cluster>: the shared files, the sealed
// keys, the cluster's nodes, a disruption budget for its validators and the list of
// votes they cast.
func (r *partyRenderer) cluster(cluster model.Cluster, nodes []model.Node) error {
	resources := []string{"../../shared", "../../secrets"}
	for _, n := range nodes {
		resources = append(resources, "../../nodes/"+n.Name)
	}
	objects := map[string]any{}
	if pdb := r.disruptionBudget(nodes); pdb != nil {
		objects["pdb.yaml"] = pdb
	}
	if gw := exposure.GatewayRequirements(cluster, nodes, r.sources, r.meta("", "")); gw != nil {
		objects["p2p-gateway.yaml"] = gw
	}
	return r.files.AddDir(path.Join("clusters", cluster.Name), objects, resources...)
}

// defaultDeny blocks all ingress to the party's pods; each node's own policy opens only
// the ports that node serves.
func (r *partyRenderer) defaultDeny() *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: r.meta("default-deny-ingress", ""),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
		},
	}
}

// FaultTolerance is how many validators a BFT network of n validators can lose:
// f = ⌊(n−1)/3⌋.
func FaultTolerance(validators int) int {
	if validators < 1 {
		return 0
	}
	return (validators - 1) / 3
}

// disruptionBudget lets a voluntary disruption (drain, upgrade) take down at most f of
// the cluster's validators at once. A cluster cannot see the others, so this bounds each
// cluster separately; draining several at once is a consortium-level decision.
func (r *partyRenderer) disruptionBudget(nodes []model.Node) *policyv1.PodDisruptionBudget {
	validators := 0
	for _, n := range nodes {
		if n.IsValidator() {
			validators++
		}
	}
	if validators == 0 {
		return nil
	}
	selector := r.labels("")
	selector[LabelRole] = model.RoleValidator
	delete(selector, model.LabelManaged)
	return workload.DisruptionBudget(r.meta("validators", ""), selector, min(FaultTolerance(r.validators), validators))
}

// NodeFile holds all of one node's objects, one YAML document each: a reviewer reads a
// node in one place, and a large network writes two files per node, not six.
const NodeFile = "node.yaml"

// node renders one node's directory, nodes/<node>/: its StatefulSet, headless Service,
// NetworkPolicy and exposure objects in node.yaml, and the kustomization listing it.
func (r *partyRenderer) node(node model.Node) error {
	exposure, err := r.exposure(node)
	if err != nil {
		return err
	}
	sts, err := r.statefulSet(node)
	if err != nil {
		return fmt.Errorf("node %s: %w", node.Name, err)
	}
	objects := []any{sts, r.headlessService(node), r.nodePolicy(node)}
	objects = append(objects, exposure...)
	data, err := manifest.EncodeAll(objects...)
	if err != nil {
		return fmt.Errorf("node %s: %w", node.Name, err)
	}
	dir := path.Join("nodes", node.Name)
	r.files[path.Join(dir, NodeFile)] = data
	return r.files.AddKustomization(dir, partydir.Kustomization([]string{NodeFile}))
}

func (r *partyRenderer) podLabels(node model.Node) map[string]string {
	labels := r.labels(node.Name)
	labels[LabelRole] = node.Role
	labels["app.kubernetes.io/name"] = "besu"
	labels["app.kubernetes.io/instance"] = node.Name
	return labels
}

func selectorOf(node model.Node) map[string]string {
	return map[string]string{model.LabelNode: node.Name}
}

// p2pServicePorts is the node's RLPx port: TCP only. UDP carries discovery, which is
// off (--discovery-enabled=false), so nothing listens there.
func p2pServicePorts(node model.Node) []corev1.ServicePort {
	port := int32(node.Ports.P2P)
	return []corev1.ServicePort{
		{Name: "p2p-tcp", Port: port, TargetPort: intstr.FromInt32(port), Protocol: corev1.ProtocolTCP},
	}
}

// headlessService gives the node a stable in-cluster name and the StatefulSet its
// governing Service.
func (r *partyRenderer) headlessService(node model.Node) *corev1.Service {
	ports := p2pServicePorts(node)
	ports = append(ports, corev1.ServicePort{Name: "metrics", Port: int32(node.Ports.Metrics), TargetPort: intstr.FromString("metrics"), Protocol: corev1.ProtocolTCP})
	if node.Role == model.RoleRPC {
		ports = append(ports, corev1.ServicePort{Name: "rpc", Port: int32(node.Ports.RPC), TargetPort: intstr.FromString("rpc"), Protocol: corev1.ProtocolTCP})
	}
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: r.meta(node.Name, node.Name),
		Spec: corev1.ServiceSpec{
			ClusterIP:                corev1.ClusterIPNone,
			PublishNotReadyAddresses: true,
			Selector:                 selectorOf(node),
			Ports:                    ports,
		},
	}
}

// nodePolicy opens the node's p2p port (TCP) to where its peers' connections arrive
// from (see p2pPeers), its metrics port to namespaces labelled for scraping, and its RPC
// port (RPC nodes only) to the party's own namespace.
func (r *partyRenderer) nodePolicy(node model.Node) *networkingv1.NetworkPolicy {
	tcp := corev1.ProtocolTCP
	port := func(p int) networkingv1.NetworkPolicyPort {
		v := intstr.FromInt(p)
		return networkingv1.NetworkPolicyPort{Port: &v, Protocol: &tcp}
	}
	rules := []networkingv1.NetworkPolicyIngressRule{
		{Ports: []networkingv1.NetworkPolicyPort{port(node.Ports.P2P)}, From: r.p2pPeers(node)},
		{
			Ports: []networkingv1.NetworkPolicyPort{port(node.Ports.Metrics)},
			From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{LabelScrape: "true"},
			}}},
		},
	}
	if node.Role == model.RoleRPC {
		rules = append(rules, networkingv1.NetworkPolicyIngressRule{
			Ports: []networkingv1.NetworkPolicyPort{port(node.Ports.RPC)},
			From:  []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}},
		})
	}
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: r.meta(node.Name, node.Name),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: selectorOf(node)},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     rules,
		},
	}
}
