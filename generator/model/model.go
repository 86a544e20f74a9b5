// Package model is the typed network every stage after loading consumes. Values are
// decoded from the validated CUE by package load, so every constraint in cue/schema
// already holds: the model trusts its input and never re-validates it.
package model

import (
	"iter"
	"maps"
	"slices"
	"strings"
)

// Network is a consortium's ledger network: who takes part, where they run, what runs.
type Network struct {
	Name      string    `json:"name"`
	Platform  string    `json:"platform"`
	ChainID   uint64    `json:"chainId"`
	Consensus Consensus `json:"consensus"`
	Launched  bool      `json:"launched"`
	Genesis   Genesis   `json:"genesis"`
	// Peering is which nodes a Besu node dials (zero on Fabric).
	Peering    Peering             `json:"peering"`
	Governance Governance          `json:"governance"`
	Repository Repository          `json:"repository"`
	Parties    map[string]Party    `json:"parties"`
	Clusters   map[string]Cluster  `json:"clusters"`
	Nodes      map[string]Node     `json:"nodes"`
	Identities map[string]Identity `json:"identities"`
	Compliance Compliance          `json:"compliance"`
	// Fabric is the Fabric part of a network with platform "fabric" (nil on Besu).
	Fabric *Fabric `json:"fabric,omitempty"`
	// MSP is each party's public Fabric MSP material, by party (Fabric only).
	MSP map[string]OrgIdentity `json:"msp,omitempty"`
}

// Platforms a network can run.
const (
	PlatformBesu   = "besu"
	PlatformFabric = "fabric"
)

// Consensus algorithms.
const (
	QBFT  = "qbft"
	IBFT2 = "ibft2"
)

// Fabric consensus algorithms.
const (
	EtcdRaft = "etcdraft"
	SmartBFT = "smartbft"
)

// Consensus is the network's consensus protocol and its settings: the Besu ones
// (QBFT, IBFT 2.0) or the Fabric ones (Raft, SmartBFT: how orderers cut blocks).
type Consensus struct {
	Algorithm             string `json:"algorithm"`
	BlockPeriodSeconds    int    `json:"blockPeriodSeconds,omitempty"`
	EpochLength           int    `json:"epochLength,omitempty"`
	RequestTimeoutSeconds int    `json:"requestTimeoutSeconds,omitempty"`

	BatchTimeout      string `json:"batchTimeout,omitempty"`
	MaxMessageCount   int    `json:"maxMessageCount,omitempty"`
	AbsoluteMaxBytes  int    `json:"absoluteMaxBytes,omitempty"`
	PreferredMaxBytes int    `json:"preferredMaxBytes,omitempty"`
}

// EVM milestones a genesis can enable, oldest first.
const (
	EVMBerlin   = "berlin"
	EVMLondon   = "london"
	EVMShanghai = "shanghai"
)

// Genesis holds the choices that shape the genesis block beyond the validators.
type Genesis struct {
	EVM string `json:"evm"`
	// Frozen is the launched chain's genesis, recorded once (nil before launch).
	Frozen *FrozenGenesis `json:"frozen,omitempty"`
}

// Peering modes (Besu): every node dials every other node, or each party's nodes dial
// the nodes of a few other parties (package peering).
const (
	PeeringMesh   = "mesh"
	PeeringSparse = "sparse"
)

// Peering is which nodes a Besu node lists as static nodes: with mode "mesh" every node
// of the network; with "sparse" its own party's nodes and those of the parties it is
// linked to, Degree links chosen per party at least.
type Peering struct {
	Mode   string `json:"mode,omitempty"`
	Degree int    `json:"degree,omitempty"`
}

type Repository struct {
	URL      string `json:"url"`
	Branch   string `json:"branch"`
	Interval string `json:"interval"`
	// Verify makes every plain-Flux cluster's GitRepository verify the OpenPGP
	// signature of the commit it applies (spec.verify, mode HEAD).
	Verify bool `json:"verify"`
}

type Party struct {
	Name        string   `json:"name"`
	DisplayName string   `json:"displayName"`
	Contact     string   `json:"contact"`
	Recipients  []string `json:"recipients"`
	Namespace   string   `json:"namespace"`
	// Reviewers approve changes to the party's directories (CODEOWNERS).
	Reviewers []string `json:"reviewers"`
	// MSPID is the party's organisation on Fabric.
	MSPID string `json:"mspId,omitempty"`
	// ApprovalKeys sign the party's approvals of changes (flux-ledger approve).
	ApprovalKeys []ApprovalKey `json:"approvalKeys,omitempty"`
}

// ApprovalKey is a public key a party signs its approvals with: Kind "openpgp" (Key
// is an armored public key block) or "ssh" (Key is an authorized_keys line).
type ApprovalKey struct {
	Kind string `json:"kind"`
	Key  string `json:"key"`
}

// GitOps modes of a cluster.
const (
	ModeArc  = "arc"
	ModeFlux = "flux"
)

type Cluster struct {
	Name     string   `json:"name"`
	Party    string   `json:"party"`
	Provider string   `json:"provider"`
	Region   string   `json:"region"`
	GitOps   GitOps   `json:"gitops"`
	Exposure Exposure `json:"exposure"`
	// KubeContext is the cluster's context in an operator's kubeconfig (optional).
	KubeContext string `json:"kubeContext,omitempty"`
	// EgressCIDRs are where the cluster's outbound p2p connections come from, as
	// other clusters see them.
	EgressCIDRs []string `json:"egressCIDRs"`
	// AllowWorldOpen is the cluster's party saying on purpose that EgressCIDRs may
	// admit the whole internet.
	AllowWorldOpen bool           `json:"allowWorldOpen,omitempty"`
	Storage        ClusterStorage `json:"storage"`
	// Monitoring says how the cluster's nodes are scraped and alerted on.
	Monitoring Monitoring `json:"monitoring"`
}

// Monitoring modes of a cluster.
const (
	MonitoringNone               = "none"
	MonitoringPrometheusOperator = "prometheusOperator"
	MonitoringAzureMonitor       = "azureMonitor"
)

// Monitoring is a cluster's monitoring choice: Mode, and the Namespace its
// Prometheus runs in (the only source admitted to the nodes' metrics ports).
type Monitoring struct {
	Mode      string `json:"mode"`
	Namespace string `json:"namespace"`
	// Workspace is the resource ID of the Azure Monitor workspace an azureMonitor
	// cluster sends its series to and its rule groups read.
	Workspace string `json:"workspace,omitempty"`
	// Share forwards a whitelisted set of series to a consortium endpoint.
	Share *Share `json:"share,omitempty"`
}

// Share is a party's opt-in to forward some of its series, and nothing else, to an
// endpoint the consortium runs: the Prometheus remote-write URL, the metric names
// forwarded, and the parties the endpoint serves (what the party's reviewers agree to).
type Share struct {
	URL    string      `json:"url"`
	Series []string    `json:"series"`
	With   []string    `json:"with"`
	Images ShareImages `json:"images"`
}

// ShareImages are the images of the Prometheus that forwards a share, from the
// consortium's registries like every other image in a party's namespace.
type ShareImages struct {
	Prometheus     string `json:"prometheus"`
	ConfigReloader string `json:"configReloader"`
}

// ClusterStorage is the default storage of a cluster's nodes.
type ClusterStorage struct {
	Class string `json:"class,omitempty"`
	Size  string `json:"size"`
}

type GitOps struct {
	Mode         string     `json:"mode"`
	Namespace    string     `json:"namespace"`
	AgeKeySecret string     `json:"ageKeySecret"`
	Arc          *ArcTarget `json:"arc,omitempty"`
	// Credentials say how Flux reads a private repository.
	Credentials GitCredentials `json:"credentials"`
}

// Kinds of Git credentials.
const (
	CredentialsNone  = "none"
	CredentialsHTTPS = "https"
	CredentialsSSH   = "ssh"
)

// GitCredentials name the Secret, in the cluster's GitOps namespace and created by
// the party out of band, that holds an HTTPS token (username, password) or an SSH key
// (identity, known_hosts).
type GitCredentials struct {
	Kind   string `json:"kind"`
	Secret string `json:"secret,omitempty"`
}

type ArcTarget struct {
	Subscription  string `json:"subscription"`
	ResourceGroup string `json:"resourceGroup"`
	ClusterName   string `json:"clusterName"`
	ClusterKind   string `json:"clusterKind"`
	// InstallFluxExtension makes the ARM template and Bicep file create the
	// microsoft.flux extension too.
	InstallFluxExtension bool `json:"installFluxExtension"`
}

// Exposure modes of a cluster.
const (
	ExposeLoadBalancer = "loadbalancer"
	ExposeAmbassador   = "ambassador"
	ExposeHAProxy      = "haproxy"
	ExposeIstio        = "istio"
	ExposeNone         = "none"
)

type Exposure struct {
	Mode      string `json:"mode"`
	DNSSuffix string `json:"dnsSuffix,omitempty"`
	Host      string `json:"host,omitempty"`
	// GatewayNamespace is where a shared gateway's pods run (ambassador, haproxy, istio).
	GatewayNamespace string `json:"gatewayNamespace,omitempty"`
}

// Node roles: validator, member and rpc on Besu; orderer and peer on Fabric.
const (
	RoleValidator = "validator"
	RoleMember    = "member"
	RoleRPC       = "rpc"
	RoleOrderer   = "orderer"
	RolePeer      = "peer"
)

type Node struct {
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Cluster   string    `json:"cluster"`
	Party     string    `json:"party"`
	Image     string    `json:"image"`
	Resources Resources `json:"resources"`
	Storage   Storage   `json:"storage"`
	Ports     Ports     `json:"ports"`
	Endpoint  Endpoint  `json:"endpoint"`
}

type Resources struct {
	Requests ResourceList `json:"requests"`
	Limits   ResourceList `json:"limits"`
}

type ResourceList struct {
	CPU    string `json:"cpu"`
	Memory string `json:"memory"`
}

// Besu data storage formats.
const (
	StorageBonsai = "BONSAI"
	StorageForest = "FOREST"
)

type Storage struct {
	Class  string `json:"class,omitempty"`
	Size   string `json:"size"`
	Format string `json:"format"`
}

type Ports struct {
	P2P     int `json:"p2p"`
	RPC     int `json:"rpc"`
	Metrics int `json:"metrics"`
}

// Endpoint is where other nodes reach a node's p2p port.
type Endpoint struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

// Identity is the public half of a node's key: a secp256k1 key on Besu, the signing
// and TLS certificates on Fabric.
type Identity struct {
	// Address is 0x-prefixed lowercase hex of keccak256(PublicKey)[12:].
	Address string `json:"address,omitempty"`
	// PublicKey is 0x-prefixed lowercase hex of the 64-byte uncompressed key (X‖Y).
	PublicKey string `json:"publicKey,omitempty"`

	// SignCert and TLSCert are PEM certificates issued by the party's CA and TLS CA.
	SignCert string `json:"signCert,omitempty"`
	TLSCert  string `json:"tlsCert,omitempty"`
}

type Compliance struct {
	AllowedRegistries        []string `json:"allowedRegistries"`
	RequireDigest            bool     `json:"requireDigest"`
	AllowedRegions           []string `json:"allowedRegions"`
	MaxValidatorSharePercent int      `json:"maxValidatorSharePercent"`
	// PartyValidatorLimit is "share" or "faultTolerance" (no party holds more than f).
	PartyValidatorLimit string  `json:"partyValidatorLimit"`
	Kyverno             Kyverno `json:"kyverno"`
}

// Kyverno says whether clusters install Kyverno themselves, and which chart.
type Kyverno struct {
	Install      bool   `json:"install"`
	ChartVersion string `json:"chartVersion"`
}

// PartyNames returns every party name in ascending order.
func (n *Network) PartyNames() []string { return slices.Sorted(maps.Keys(n.Parties)) }

// ClusterNames returns every cluster name in ascending order.
func (n *Network) ClusterNames() []string { return slices.Sorted(maps.Keys(n.Clusters)) }

// NodeNames returns every node name in ascending order.
func (n *Network) NodeNames() []string { return slices.Sorted(maps.Keys(n.Nodes)) }

// NodesByParty groups the nodes by owning party, each list in ascending name order.
// One pass over the nodes: callers iterate parties without rescanning every node.
func (n *Network) NodesByParty() map[string][]Node {
	byParty := make(map[string][]Node, len(n.Parties))
	for _, name := range n.NodeNames() {
		node := n.Nodes[name]
		byParty[node.Party] = append(byParty[node.Party], node)
	}
	return byParty
}

// ClustersByParty groups the clusters by owning party, each list in ascending name order.
func (n *Network) ClustersByParty() map[string][]Cluster {
	byParty := make(map[string][]Cluster, len(n.Parties))
	for _, name := range n.ClusterNames() {
		c := n.Clusters[name]
		byParty[c.Party] = append(byParty[c.Party], c)
	}
	return byParty
}

// EgressCIDRs is every cluster's declared egress, sorted and without duplicates.
func (n *Network) EgressCIDRs() []string { return EgressOf(maps.Values(n.Clusters)) }

// EgressOf is the clusters' declared egress, sorted and without duplicates.
func EgressOf(clusters iter.Seq[Cluster]) []string {
	var out []string
	for c := range clusters {
		out = append(out, c.EgressCIDRs...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ClustersOf returns party's clusters in ascending name order. Renderers ask it once
// per party, so it scans the clusters without sorting them all each time.
func (n *Network) ClustersOf(party string) []Cluster {
	var clusters []Cluster
	for _, c := range n.Clusters {
		if c.Party == party {
			clusters = append(clusters, c)
		}
	}
	slices.SortFunc(clusters, func(a, b Cluster) int { return strings.Compare(a.Name, b.Name) })
	return clusters
}

// Validators counts the validators of the whole network.
func (n *Network) Validators() int {
	count := 0
	for _, node := range n.Nodes {
		if node.IsValidator() {
			count++
		}
	}
	return count
}

// IsValidator reports whether the node takes part in consensus.
func (n Node) IsValidator() bool { return n.Role == RoleValidator }

// Label keys every generated object carries.
const (
	LabelNetwork = "ledger.flux-ledger.dev/network"
	LabelParty   = "ledger.flux-ledger.dev/party"
	LabelNode    = "ledger.flux-ledger.dev/node"
	LabelManaged = "app.kubernetes.io/managed-by"
)

// Labels are the labels of an object owned by a party (and, when node is not empty, by
// one of its nodes).
func Labels(n *Network, party, node string) map[string]string {
	labels := map[string]string{
		LabelNetwork: n.Name,
		LabelParty:   party,
		LabelManaged: "flux-ledger",
	}
	if node != "" {
		labels[LabelNode] = node
	}
	return labels
}
