package lifecycle

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/ccaas"
	"github.com/flux-ledger/flux-ledger/generator/render/workload"
)

// LabelChaincode names a chaincode server's pods (its Service's name).
const LabelChaincode = "ledger.flux-ledger.dev/chaincode"

// chaincodeUID runs the chaincode servers: the restricted profile needs a non-root
// user, and an image whose USER is a name (or absent) cannot be checked without one.
const chaincodeUID = 1000

// chaincodeServer is one chaincode server of the party: its Service's name and port.
type chaincodeServer struct {
	name string
	port int
}

// ChaincodeService names the party's chaincode server for a channel's chaincode: its
// Deployment, Service and package ConfigMap.
func ChaincodeService(channel, chaincode string) string { return dnsLabel("cc", channel, chaincode) }

// ChaincodeAddress is where the party's peers dial its chaincode server, written into
// the package's connection.json.
func ChaincodeAddress(namespace, channel string, cc model.Chaincode) string {
	return ChaincodeService(channel, cc.Name) + "." + namespace + ".svc:" + strconv.Itoa(cc.Port)
}

// Package builds the party's chaincode-as-a-service package for a channel's chaincode:
// its own address, hence its own package ID.
func Package(party model.Party, channel string, cc model.Chaincode) (ccaas.Package, error) {
	return ccaas.Build(ccaas.Spec{
		Label:      cc.Label,
		Connection: ccaas.Connection{Address: ChaincodeAddress(party.Namespace, channel, cc)},
	})
}

// chaincode renders a channel's chaincode for the party: the package, the server and,
// once the channel is launched, the install, approve and (committer only) commit Jobs.
func (r *renderer) chaincode(channel string, cc model.Chaincode, launched bool) (chaincodeServer, error) {
	name := ChaincodeService(channel, cc.Name)
	server := chaincodeServer{name: name, port: cc.Port}
	pkg, err := Package(r.party, channel, cc)
	if err != nil {
		return server, err
	}
	file := "chaincode-" + channel + "-" + cc.Name
	r.files[file+"-package.yaml"] = &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: r.meta(name, ComponentLifecycle),
		BinaryData: map[string][]byte{packageKey: pkg.Bytes},
	}
	r.files[file+"-server.yaml"] = r.chaincodeDeployment(server, cc, pkg.ID)
	r.files[file+"-service.yaml"] = r.chaincodeService(server)
	if !launched || len(r.peers) == 0 {
		return server, nil
	}

	addresses := make([]string, len(r.peers))
	for i, p := range r.peers {
		addresses[i] = serviceAddress(p, p.Ports.P2P)
	}
	install, err := r.job(jobSpec{
		what:   "install-" + channel + "-" + cc.Name,
		script: chaincodeInstallScript,
		env: append(r.peerEnv(addresses[0]),
			corev1.EnvVar{Name: "PACKAGE", Value: path.Join(packageDir, packageKey)},
			corev1.EnvVar{Name: "PACKAGE_ID", Value: pkg.ID},
			corev1.EnvVar{Name: "PEER_ADDRESSES", Value: strings.Join(addresses, " ")}),
		volumes: []jobVolume{mspVolume(), tlsVolume(), packageVolume(name)},
		content: [][]byte{[]byte(pkg.ID)},
	})
	if err != nil {
		return server, err
	}
	r.files[file+"-install.yaml"] = install

	orderers, err := r.orderersOf(channel)
	if err != nil {
		return server, err
	}
	definition := []corev1.EnvVar{
		{Name: "CHANNEL", Value: channel},
		{Name: "NAME", Value: cc.Name},
		{Name: "VERSION", Value: cc.Version},
		{Name: "SEQUENCE", Value: strconv.Itoa(cc.Sequence)},
		{Name: "ORDERERS", Value: orderers},
	}
	if cc.EndorsementPolicy != "" {
		// Absent: the channel's default endorsement policy.
		definition = append(definition, corev1.EnvVar{Name: "SIGNATURE_POLICY", Value: cc.EndorsementPolicy})
	}
	approve, err := r.job(jobSpec{
		what:    "approve-" + channel + "-" + cc.Name,
		script:  chaincodeApproveScript,
		env:     append(append(r.peerEnv(addresses[0]), definition...), corev1.EnvVar{Name: "PACKAGE_ID", Value: pkg.ID}),
		volumes: []jobVolume{mspVolume(), tlsVolume(), tlsRootsVolume()},
	})
	if err != nil {
		return server, err
	}
	r.files[file+"-approve.yaml"] = approve

	if cc.Committer != r.party.Name {
		return server, nil
	}
	members, err := r.memberPeers(channel)
	if err != nil {
		return server, err
	}
	commit, err := r.job(jobSpec{
		what:   "commit-" + channel + "-" + cc.Name,
		script: chaincodeCommitScript,
		env: append(append(r.peerEnv(addresses[0]), definition...),
			corev1.EnvVar{Name: "MEMBERS", Value: strconv.Itoa(len(r.fabric.Channels[channel].Members))},
			corev1.EnvVar{Name: "MEMBER_PEERS", Value: members},
			corev1.EnvVar{Name: "TLS_ROOTS", Value: tlsRootsDir}),
		volumes: []jobVolume{mspVolume(), tlsVolume(), tlsRootsVolume()},
	})
	if err != nil {
		return server, err
	}
	r.files[file+"-commit.yaml"] = commit
	return server, nil
}

// orderersOf lists the channel's consenters as the approve and commit scripts try
// them ("host:port,cafile", separated by spaces): the party's own first, through
// their Services, then the others' at their endpoints, each with its party's TLS CA.
func (r *renderer) orderersOf(channel string) (string, error) {
	var own, others []string
	for _, name := range slices.Sorted(slices.Values(r.fabric.Channels[channel].Consenters)) {
		n, ok := r.network.Nodes[name]
		if !ok {
			return "", fmt.Errorf("consenter %s is not a node", name)
		}
		if n.Party == r.party.Name {
			own = append(own, serviceAddress(n, n.Ports.P2P)+","+path.Join(tlsDir, tlsCAFile))
			continue
		}
		msp := r.network.Parties[n.Party].MSPID
		others = append(others, endpoint(n)+","+path.Join(tlsRootsDir, msp+".pem"))
	}
	return strings.Join(append(own, others...), " "), nil
}

// memberPeers names one peer of each member ("MSPID=host:port", separated by
// spaces): the commit is endorsed by a peer of each organisation that approved, since
// a peer endorses the commit only when its own organisation approved (Fabric v2.5.16
// core/chaincode/lifecycle/lifecycle.go CommitChaincodeDefinition).
func (r *renderer) memberPeers(channel string) (string, error) {
	var out []string
	for _, member := range slices.Sorted(slices.Values(r.fabric.Channels[channel].Members)) {
		party, ok := r.network.Parties[member]
		if !ok {
			return "", fmt.Errorf("member %s is not a party", member)
		}
		var peer *model.Node
		for _, name := range r.network.NodeNames() {
			if n := r.network.Nodes[name]; n.Party == member && n.Role == model.RolePeer {
				peer = &n
				break
			}
		}
		if peer == nil {
			return "", fmt.Errorf("member %s runs no peer", member)
		}
		address := endpoint(*peer)
		if member == r.party.Name {
			address = serviceAddress(*peer, peer.Ports.P2P)
		}
		out = append(out, party.MSPID+"="+address)
	}
	return strings.Join(out, " "), nil
}

func endpoint(n model.Node) string { return n.Endpoint.Host + ":" + strconv.Itoa(n.Endpoint.Port) }

func (r *renderer) serverLabels(s chaincodeServer) map[string]string {
	labels := r.labels(ComponentChaincodeServer)
	labels[LabelChaincode] = s.name
	return labels
}

// chaincodeDeployment runs the chaincode image as a server. CHAINCODE_ID and
// CHAINCODE_SERVER_ADDRESS are what a Go chaincode built on fabric-chaincode-go's
// shim.ChaincodeServer reads by convention (fabric-samples
// asset-transfer-basic/chaincode-external/assetTransfer.go, chaincode.env);
// CORE_CHAINCODE_ID_NAME is what fabric-samples test-network/scripts/deployCCAAS.sh
// sets besides for chaincodes in other languages.
func (r *renderer) chaincodeDeployment(s chaincodeServer, cc model.Chaincode, packageID string) *appsv1.Deployment {
	port := int32(s.port)
	selector := map[string]string{LabelChaincode: s.name}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: r.meta(s.name, ComponentChaincodeServer),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(int32(1)),
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: r.serverLabels(s)},
				Spec: corev1.PodSpec{
					AutomountServiceAccountToken: ptr.To(false),
					SecurityContext:              workload.RestrictedPod(chaincodeUID),
					Containers: []corev1.Container{{
						Name:  "chaincode",
						Image: cc.Image,
						Env: []corev1.EnvVar{
							{Name: "CHAINCODE_SERVER_ADDRESS", Value: "0.0.0.0:" + strconv.Itoa(s.port)},
							{Name: "CHAINCODE_ID", Value: packageID},
							{Name: "CORE_CHAINCODE_ID_NAME", Value: packageID},
						},
						Ports: []corev1.ContainerPort{{Name: "chaincode", ContainerPort: port, Protocol: corev1.ProtocolTCP}},
						ReadinessProbe: &corev1.Probe{
							ProbeHandler:  corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("chaincode")}},
							PeriodSeconds: 10,
						},
						SecurityContext: workload.Restricted(),
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
							Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("512Mi")},
						},
					}},
				},
			},
		},
	}
}

func (r *renderer) chaincodeService(s chaincodeServer) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: r.meta(s.name, ComponentChaincodeServer),
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{LabelChaincode: s.name},
			Ports: []corev1.ServicePort{{
				Name: "chaincode", Port: int32(s.port), TargetPort: intstr.FromString("chaincode"), Protocol: corev1.ProtocolTCP,
			}},
		},
	}
}

// chaincodePolicy admits the party's peers, and nothing else, to its chaincode
// servers' ports. The peers' pods carry the node label with the peer's name.
func (r *renderer) chaincodePolicy(servers []chaincodeServer) *networkingv1.NetworkPolicy {
	peers := make([]string, len(r.peers))
	for i, p := range r.peers {
		peers[i] = p.Name
	}
	var ports []networkingv1.NetworkPolicyPort
	seen := map[int]bool{}
	for _, s := range servers {
		if !seen[s.port] {
			seen[s.port] = true
			ports = append(ports, networkingv1.NetworkPolicyPort{
				Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To(intstr.FromInt32(int32(s.port))),
			})
		}
	}
	slices.SortFunc(ports, func(a, b networkingv1.NetworkPolicyPort) int { return a.Port.IntValue() - b.Port.IntValue() })
	policy := &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: r.meta("chaincode-servers", ComponentChaincodeServer),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{LabelComponent: ComponentChaincodeServer}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
		},
	}
	if len(peers) > 0 {
		policy.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{
			From: []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{model.LabelParty: r.party.Name},
				MatchExpressions: []metav1.LabelSelectorRequirement{{
					Key: model.LabelNode, Operator: metav1.LabelSelectorOpIn, Values: peers,
				}},
			}}},
			Ports: ports,
		}}
	}
	return policy
}
