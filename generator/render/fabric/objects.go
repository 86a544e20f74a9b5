package fabric

import (
	"fmt"
	"maps"
	"path"
	"slices"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/manifest"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/exposure"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/layout"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/lifecycle"
	"github.com/flux-ledger/flux-ledger/generator/render/partydir"
	"github.com/flux-ledger/flux-ledger/generator/render/workload"
)

// shared renders shared/: the network-wide files (identical bytes in every party),
// placed in the party's namespace and labelled with the party by its kustomization,
// the party's MSP ConfigMap, its default-deny policy and, when it runs peers, their
// core.yaml.
func (r *partyRenderer) shared(shared *Shared) error {
	resources := []string{TLSRootsFile, CouchDBFile, OrgFile, "networkpolicy.yaml"}
	r.files[path.Join("shared", TLSRootsFile)] = shared.TLSRoots
	r.files[path.Join("shared", CouchDBFile)] = shared.CouchDB
	for name, data := range shared.Channels {
		r.files[path.Join("shared", name)] = data
		resources = append(resources, name)
	}
	org, err := r.orgConfigMap()
	if err != nil {
		return err
	}
	if err := r.files.Add(path.Join("shared", OrgFile), org); err != nil {
		return err
	}
	if err := r.files.Add("shared/networkpolicy.yaml", r.defaultDeny()); err != nil {
		return err
	}
	if r.core != nil {
		if err := r.files.Add(path.Join("shared", PeerCoreFile), r.peerCoreConfigMap(r.core)); err != nil {
			return err
		}
		resources = append(resources, PeerCoreFile)
	}
	return r.files.AddKustomization("shared", partydir.SharedKustomization(r.party, resources))
}

// orgConfigMap holds the party's public MSP files; config.yaml maps the NodeOUs to the
// CA certificate at cacerts/<CACertKey>, where every MSP directory built from this
// ConfigMap puts it.
func (r *partyRenderer) orgConfigMap() (*corev1.ConfigMap, error) {
	id, ok := r.network.MSP[r.party.Name]
	if !ok {
		return nil, fmt.Errorf("party %s has no MSP certificates (flux-ledger keys init)", r.party.Name)
	}
	config, err := yaml.Marshal(msp.NodeOUConfig(path.Join(msp.CACertsDir, layout.CACertKey)))
	if err != nil {
		return nil, err
	}
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: r.meta(layout.OrgConfigMap, ""),
		Data: map[string]string{
			layout.CACertKey:       id.CACert,
			layout.TLSCACertKey:    id.TLSCACert,
			layout.MSPConfigKey:    string(config),
			layout.AdminCertKey:    id.Admin,
			layout.AdminTLSCertKey: id.AdminTLS,
		},
	}, nil
}

// cluster renders parties/<party>/clusters/<cluster>: the shared files, the sealed
// keys, the cluster's nodes, a disruption budget for its orderers, the shared
// gateway's checklist and, in jobs/, the channel and chaincode Jobs and chaincode
// servers of the cluster's nodes (package lifecycle).
func (r *partyRenderer) cluster(cluster model.Cluster, nodes []model.Node) error {
	dir := path.Join("clusters", cluster.Name)
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
	jobs, err := lifecycle.Objects(r.network, r.party, nodes)
	if err != nil {
		return fmt.Errorf("cluster %s: %w", cluster.Name, err)
	}
	if r.submitsFrom(nodes) {
		for _, s := range r.submissions {
			submit, err := lifecycle.SubmitObjects(r.network, r.party, nodes, s)
			if err != nil {
				return fmt.Errorf("cluster %s: %w", cluster.Name, err)
			}
			maps.Copy(jobs, submit)
		}
	}
	if len(jobs) > 0 {
		if err := r.files.AddDir(path.Join(dir, "jobs"), jobs); err != nil {
			return err
		}
		resources = append(resources, "jobs")
	}
	return r.files.AddDir(dir, objects, resources...)
}

// submitsFrom reports whether the cluster of nodes runs the party's first peer (by
// name): a party's signed channel updates are submitted from one cluster only.
func (r *partyRenderer) submitsFrom(nodes []model.Node) bool {
	var first string
	for _, name := range r.network.NodeNames() {
		if n := r.network.Nodes[name]; n.Party == r.party.Name && n.Role == model.RolePeer {
			first = name
			break
		}
	}
	return first != "" && slices.ContainsFunc(nodes, func(n model.Node) bool { return n.Name == first })
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

// FaultTolerance is how many of n consenters the network's consensus can lose: Raft
// needs a majority up, f = ⌊(n−1)/2⌋; SmartBFT f = ⌊(n−1)/3⌋.
func FaultTolerance(algorithm string, n int) int {
	if n < 1 {
		return 0
	}
	if algorithm == model.SmartBFT {
		return (n - 1) / 3
	}
	return (n - 1) / 2
}

// disruptionBudget lets a voluntary disruption (drain, upgrade) take down at most f of
// the cluster's orderers at once, f counted over the network's orderers. A cluster
// cannot see the others, so this bounds each cluster separately.
func (r *partyRenderer) disruptionBudget(nodes []model.Node) *policyv1.PodDisruptionBudget {
	local := 0
	for _, n := range nodes {
		if n.Role == model.RoleOrderer {
			local++
		}
	}
	if local == 0 {
		return nil
	}
	total := 0
	for _, n := range r.network.Nodes {
		if n.Role == model.RoleOrderer {
			total++
		}
	}
	selector := r.labels("")
	selector[LabelRole] = model.RoleOrderer
	delete(selector, model.LabelManaged)
	return workload.DisruptionBudget(r.meta("orderers", ""), selector, min(FaultTolerance(r.network.Consensus.Algorithm, total), local))
}

// NodeFile holds all of one node's objects, one YAML document each.
const NodeFile = "node.yaml"

// node renders nodes/<node>/: its certificates ConfigMap, StatefulSet, Service,
// NetworkPolicy and exposure objects in node.yaml, and the kustomization listing it.
func (r *partyRenderer) node(node model.Node) error {
	id := r.network.Identities[node.Name]
	if id.SignCert == "" || id.TLSCert == "" {
		return fmt.Errorf("no certificates (flux-ledger keys)")
	}
	certs := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: r.meta(layout.NodeCertsConfigMap(node.Name), node.Name),
		Data:       map[string]string{layout.SignCertKey: id.SignCert, layout.TLSCertKey: id.TLSCert},
	}
	sts, err := r.statefulSet(node)
	if err != nil {
		return err
	}
	exposed, err := exposure.Objects(exposure.Node{
		Network:   r.network,
		Node:      node,
		Namespace: r.party.Namespace,
		Labels:    r.labels(node.Name),
		Selector:  selectorOf(node),
		Ports:     p2pServicePorts(node),
		Sources:   r.sources,
	})
	if err != nil {
		return err
	}
	objects := append([]any{certs, sts, r.service(node), r.nodePolicy(node)}, exposed...)
	data, err := manifest.EncodeAll(objects...)
	if err != nil {
		return err
	}
	dir := path.Join("nodes", node.Name)
	r.files[path.Join(dir, NodeFile)] = data
	return r.files.AddKustomization(dir, partydir.Kustomization([]string{NodeFile}))
}

func (r *partyRenderer) podLabels(node model.Node) map[string]string {
	labels := r.labels(node.Name)
	labels[LabelRole] = node.Role
	labels["app.kubernetes.io/name"] = "fabric-" + node.Role
	labels["app.kubernetes.io/instance"] = node.Name
	return labels
}

func selectorOf(node model.Node) map[string]string {
	return map[string]string{model.LabelNode: node.Name}
}

// Port names of a node's container and Service.
const (
	PortGRPC       = "grpc"
	PortRPC        = "rpc"
	PortOperations = "operations"
)

// p2pServicePorts is the gRPC port other parties dial: TLS end to end, so shared
// gateways pass it through as TCP.
func p2pServicePorts(node model.Node) []corev1.ServicePort {
	port := int32(node.Ports.P2P)
	return []corev1.ServicePort{{Name: PortGRPC, Port: port, TargetPort: intstr.FromInt32(port), Protocol: corev1.ProtocolTCP}}
}

// service is the node's ClusterIP Service, named after the node: what its party's
// Jobs and nodes dial (the names identity.FabricTLSHosts puts in its TLS certificate).
func (r *partyRenderer) service(node model.Node) *corev1.Service {
	ports := append(p2pServicePorts(node),
		corev1.ServicePort{Name: PortRPC, Port: int32(node.Ports.RPC), TargetPort: intstr.FromString(PortRPC), Protocol: corev1.ProtocolTCP},
		corev1.ServicePort{Name: PortOperations, Port: int32(node.Ports.Metrics), TargetPort: intstr.FromString(PortOperations), Protocol: corev1.ProtocolTCP},
	)
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: r.meta(node.Name, node.Name),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: selectorOf(node),
			Ports:    ports,
		},
	}
}

// nodePolicy opens the node's gRPC port to where other parties' connections arrive
// from (exposure.Peers) and to the party's own namespace, its RPC port (the orderer's
// admin API, the peer's chaincode listener) to the party's own namespace only, and
// its operations port (metrics, health) to namespaces labelled for scraping.
func (r *partyRenderer) nodePolicy(node model.Node) *networkingv1.NetworkPolicy {
	tcp := corev1.ProtocolTCP
	port := func(p int) networkingv1.NetworkPolicyPort {
		v := intstr.FromInt(p)
		return networkingv1.NetworkPolicyPort{Port: &v, Protocol: &tcp}
	}
	own := []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{}}}
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: r.meta(node.Name, node.Name),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: selectorOf(node)},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{
				{Ports: []networkingv1.NetworkPolicyPort{port(node.Ports.P2P)}, From: exposure.Peers(r.network.Clusters[node.Cluster], r.sources)},
				{Ports: []networkingv1.NetworkPolicyPort{port(node.Ports.RPC)}, From: own},
				{
					Ports: []networkingv1.NetworkPolicyPort{port(node.Ports.Metrics)},
					From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{
						MatchLabels: map[string]string{LabelScrape: "true"},
					}}},
				},
			},
		},
	}
}
