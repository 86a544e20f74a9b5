package besu

import (
	"fmt"
	"path"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	kustomize "sigs.k8s.io/kustomize/api/types"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/manifest"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// besuUID is the uid and gid of the besu user in the official image.
const besuUID = 1000

// Mount paths inside a node's container.
const (
	dataPath    = "/data"
	genesisPath = "/config/genesis"
	peersPath   = "/config/peers"
	keyPath     = "/secrets"
)

func kustomization(resources []string) *kustomize.Kustomization {
	return &kustomize.Kustomization{
		TypeMeta:  kustomize.TypeMeta{APIVersion: kustomize.KustomizationVersion, Kind: kustomize.KustomizationKind},
		Resources: resources,
	}
}

func (r *partyRenderer) meta(name, node string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: r.party.Namespace, Labels: r.labels(node)}
}

// shared renders shared/: the network-wide ConfigMaps (identical bytes in every party),
// placed in the party's namespace and labelled with the party by its kustomization,
// and the party's default-deny policy.
func (r *partyRenderer) shared(shared *Shared) error {
	r.files["shared/genesis.yaml"] = shared.Genesis
	r.files["shared/peers.yaml"] = shared.Peers
	if err := r.files.add("shared/networkpolicy.yaml", r.defaultDeny()); err != nil {
		return err
	}
	k := kustomization([]string{"genesis.yaml", "peers.yaml", "networkpolicy.yaml"})
	k.Namespace = r.party.Namespace
	k.Labels = []kustomize.Label{{Pairs: map[string]string{model.LabelParty: r.party.Name}}}
	return r.addKustomization("shared", k)
}

// cluster renders parties/<party>/clusters/<cluster>: the shared files, the sealed
// keys, the cluster's nodes and a disruption budget for its validators.
func (r *partyRenderer) cluster(cluster model.Cluster, nodes []model.Node) error {
	resources := []string{"../../shared", "../../secrets"}
	for _, n := range nodes {
		resources = append(resources, "../../nodes/"+n.Name)
	}
	objects := map[string]any{}
	if pdb := r.disruptionBudget(nodes); pdb != nil {
		objects["pdb.yaml"] = pdb
	}
	return r.addDir(path.Join("clusters", cluster.Name), objects, resources...)
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
	total := 0
	for _, n := range r.network.Nodes {
		if n.IsValidator() {
			total++
		}
	}
	maxUnavailable := intstr.FromInt32(int32(min(FaultTolerance(total), validators)))
	selector := r.labels("")
	selector[LabelRole] = model.RoleValidator
	delete(selector, model.LabelManaged)
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: r.meta("validators", ""),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: &maxUnavailable,
			Selector:       &metav1.LabelSelector{MatchLabels: selector},
		},
	}
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
	objects := []any{r.statefulSet(node), r.headlessService(node), r.nodePolicy(node)}
	objects = append(objects, exposure...)
	data, err := manifest.EncodeAll(objects...)
	if err != nil {
		return fmt.Errorf("node %s: %w", node.Name, err)
	}
	dir := path.Join("nodes", node.Name)
	r.files[path.Join(dir, NodeFile)] = data
	return r.addKustomization(dir, kustomization([]string{NodeFile}))
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

// Args are Besu's command-line arguments for a node.
func Args(network *model.Network, node model.Node) []string {
	args := []string{
		"--data-path=" + dataPath,
		"--genesis-file=" + path.Join(genesisPath, GenesisFile),
		"--node-private-key-file=" + path.Join(keyPath, identity.NodeKeyEntry),
		"--p2p-enabled=true",
		"--p2p-interface=0.0.0.0",
		"--p2p-host=" + node.Endpoint.Host,
		"--p2p-port=" + strconv.Itoa(node.Ports.P2P),
		"--nat-method=NONE",
		"--discovery-enabled=false",
		"--static-nodes-file=" + path.Join(peersPath, StaticNodesFile),
		"--permissions-nodes-config-file-enabled=true",
		"--permissions-nodes-config-file=" + path.Join(peersPath, AllowlistFile),
		// Enode URLs carry DNS names, not IPs: Besu must resolve them.
		"--Xdns-enabled=true",
		"--Xdns-update-enabled=true",
		"--sync-mode=FULL",
		"--min-gas-price=0",
		"--metrics-enabled=true",
		"--metrics-host=0.0.0.0",
		"--metrics-port=" + strconv.Itoa(node.Ports.Metrics),
		"--logging=INFO",
	}
	if node.Role == model.RoleRPC {
		api := "ETH,NET,WEB3,TXPOOL," + map[string]string{model.QBFT: "QBFT", model.IBFT2: "IBFT"}[network.Consensus.Algorithm]
		args = append(args,
			"--rpc-http-enabled=true",
			"--rpc-http-host=0.0.0.0",
			"--rpc-http-port="+strconv.Itoa(node.Ports.RPC),
			"--rpc-http-api="+api,
			"--host-allowlist=*",
		)
	}
	return args
}

func (r *partyRenderer) statefulSet(node model.Node) *appsv1.StatefulSet {
	ports := []corev1.ContainerPort{
		{Name: "p2p-tcp", ContainerPort: int32(node.Ports.P2P), Protocol: corev1.ProtocolTCP},
		{Name: "metrics", ContainerPort: int32(node.Ports.Metrics), Protocol: corev1.ProtocolTCP},
	}
	if node.Role == model.RoleRPC {
		ports = append(ports, corev1.ContainerPort{Name: "rpc", ContainerPort: int32(node.Ports.RPC), Protocol: corev1.ProtocolTCP})
	}
	probe := &corev1.Probe{
		ProbeHandler:        corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("p2p-tcp")}},
		InitialDelaySeconds: 30,
		PeriodSeconds:       10,
	}
	container := corev1.Container{
		Name:  "besu",
		Image: node.Image,
		Args:  Args(r.network, node),
		Ports: ports,
		Env:   []corev1.EnvVar{{Name: "JAVA_OPTS", Value: "-XX:MaxRAMPercentage=75"}},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse(node.Resources.Requests.CPU),
				corev1.ResourceMemory: resource.MustParse(node.Resources.Requests.Memory),
			},
			Limits: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse(node.Resources.Limits.CPU),
				corev1.ResourceMemory: resource.MustParse(node.Resources.Limits.Memory),
			},
		},
		VolumeMounts: []corev1.VolumeMount{
			{Name: "data", MountPath: dataPath},
			{Name: "genesis", MountPath: genesisPath, ReadOnly: true},
			{Name: "peers", MountPath: peersPath, ReadOnly: true},
			{Name: "nodekey", MountPath: keyPath, ReadOnly: true},
			{Name: "tmp", MountPath: "/tmp"},
		},
		ReadinessProbe: probe,
		LivenessProbe:  probe,
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr.To(false),
			ReadOnlyRootFilesystem:   ptr.To(true),
			RunAsNonRoot:             ptr.To(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
	}
	configVolume := func(name, configMap string) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: configMap}},
		}}
	}
	return &appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: r.meta(node.Name, node.Name),
		Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To(int32(1)),
			ServiceName: node.Name,
			Selector:    &metav1.LabelSelector{MatchLabels: selectorOf(node)},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: r.podLabels(node)},
				Spec: corev1.PodSpec{
					AutomountServiceAccountToken: ptr.To(false),
					SecurityContext: &corev1.PodSecurityContext{
						RunAsNonRoot:   ptr.To(true),
						RunAsUser:      ptr.To(int64(besuUID)),
						RunAsGroup:     ptr.To(int64(besuUID)),
						FSGroup:        ptr.To(int64(besuUID)),
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
					},
					Containers: []corev1.Container{container},
					Volumes: []corev1.Volume{
						configVolume("genesis", GenesisConfigMap),
						configVolume("peers", PeersConfigMap),
						{Name: "nodekey", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
							SecretName:  identity.SecretName(node.Name),
							DefaultMode: ptr.To(int32(0o400)),
						}}},
						{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
					},
				},
			},
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
				ObjectMeta: metav1.ObjectMeta{Name: "data", Labels: r.labels(node.Name)},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceStorage: resource.MustParse(node.Storage.Size),
					}},
				},
			}},
		},
	}
}

func p2pServicePorts(node model.Node) []corev1.ServicePort {
	port := int32(node.Ports.P2P)
	return []corev1.ServicePort{
		{Name: "p2p-tcp", Port: port, TargetPort: intstr.FromInt32(port), Protocol: corev1.ProtocolTCP},
		{Name: "p2p-udp", Port: port, TargetPort: intstr.FromInt32(port), Protocol: corev1.ProtocolUDP},
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

// nodePolicy opens the node's p2p port to everyone (peers arrive through the cluster's
// exposure), its metrics port to namespaces labelled for scraping, and its RPC port
// (RPC nodes only) to the party's own namespace.
func (r *partyRenderer) nodePolicy(node model.Node) *networkingv1.NetworkPolicy {
	tcp, udp := corev1.ProtocolTCP, corev1.ProtocolUDP
	port := func(p int, proto *corev1.Protocol) networkingv1.NetworkPolicyPort {
		v := intstr.FromInt(p)
		return networkingv1.NetworkPolicyPort{Port: &v, Protocol: proto}
	}
	rules := []networkingv1.NetworkPolicyIngressRule{
		{Ports: []networkingv1.NetworkPolicyPort{port(node.Ports.P2P, &tcp), port(node.Ports.P2P, &udp)}},
		{
			Ports: []networkingv1.NetworkPolicyPort{port(node.Ports.Metrics, &tcp)},
			From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{LabelScrape: "true"},
			}}},
		},
	}
	if node.Role == model.RoleRPC {
		rules = append(rules, networkingv1.NetworkPolicyIngressRule{
			Ports: []networkingv1.NetworkPolicyPort{port(node.Ports.RPC, &tcp)},
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
