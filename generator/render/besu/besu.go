// Package besu renders what one party runs of a Hyperledger Besu network (QBFT or
// IBFT 2.0): namespace, one StatefulSet per node, Services and L4 exposure, genesis and
// peer-list ConfigMaps built from public identities, NetworkPolicies and a
// PodDisruptionBudget. Rendering is pure: model in, files out, no disk.
package besu

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/manifest"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/partydir"
)

// Label keys specific to ledger workloads.
const (
	LabelRole = "ledger.flux-ledger.dev/role"
	// LabelScrape marks namespaces whose pods may scrape node metrics.
	LabelScrape = "ledger.flux-ledger.dev/scrape"
)

// ConfigMap names and the files they hold.
const (
	GenesisConfigMap = "genesis"
	GenesisFile      = "genesis.json"
	PeersConfigMap   = "peers"
	StaticNodesFile  = "static-nodes.json"
	ScriptsConfigMap = "node-scripts"
)

// Files maps file names, relative to the party's directory, to contents.
type Files = partydir.Files

// Shared holds the files every party's directory carries byte for byte: the genesis
// and peer-list ConfigMaps, written without namespace or party so they are identical
// (each party's shared/kustomization.yaml sets both). They are encoded once: the peer
// lists grow with the network, and encoding them once per party made rendering
// quadratic in time, not only in output.
//
// The peer list is shared only with mesh peering: with sparse peering each party lists
// its own and its linked parties' nodes, and Peers is nil.
type Shared struct {
	Genesis []byte // shared/genesis.yaml
	Peers   []byte // shared/peers.yaml (mesh peering)
	Scripts []byte // shared/scripts.yaml
	Votes   []byte // shared/validator-votes.yaml
	// Peering is who dials whom, which also says where each party admits p2p from.
	Peering *peering.Graph
	// Validators counts the network's validators, which every cluster's disruption
	// budget reads: counted once, not once per cluster.
	Validators int
}

// RenderShared renders the network-wide files: genesis and, with mesh peering, the
// peer list.
func RenderShared(network *model.Network) (*Shared, error) {
	return renderShared(network, peering.Of(network))
}

func renderShared(network *model.Network, topology *peering.Graph) (*Shared, error) {
	genesis, err := Genesis(network)
	if err != nil {
		return nil, err
	}
	cm := func(name string, data map[string]string) ([]byte, error) {
		return manifest.Encode(&corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: networkLabels(network)},
			Data:       data,
		})
	}
	shared := &Shared{Peering: topology, Validators: network.Validators()}
	if shared.Genesis, err = cm(GenesisConfigMap, map[string]string{GenesisFile: string(genesis)}); err != nil {
		return nil, err
	}
	if shared.Peering.Mesh() {
		if shared.Peers, err = peersConfigMap(network, shared.Peering.Nodes("")); err != nil {
			return nil, err
		}
	}
	files, err := scripts()
	if err != nil {
		return nil, err
	}
	if shared.Scripts, err = cm(ScriptsConfigMap, files); err != nil {
		return nil, err
	}
	if shared.Votes, err = cm(VotesConfigMap, map[string]string{VotesFile: Votes(network)}); err != nil {
		return nil, err
	}
	return shared, nil
}

// networkLabels label what belongs to the network as a whole.
func networkLabels(network *model.Network) map[string]string {
	return map[string]string{model.LabelNetwork: network.Name, model.LabelManaged: "flux-ledger"}
}

// enodesOf lists the named nodes' enode URLs, in the order given.
func enodesOf(network *model.Network, names []string) []string {
	enodes := make([]string, 0, len(names))
	for _, name := range names {
		enodes = append(enodes, Enode(network.Nodes[name], network.Identities[name]))
	}
	return enodes
}

// peersConfigMap is the static-nodes list of the named nodes, as the peers ConfigMap.
func peersConfigMap(network *model.Network, names []string) ([]byte, error) {
	static, err := json.MarshalIndent(enodesOf(network, names), "", "  ")
	if err != nil {
		return nil, err
	}
	data, err := manifest.Encode(&corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: PeersConfigMap, Labels: networkLabels(network)},
		Data:       map[string]string{StaticNodesFile: string(append(static, '\n'))},
	})
	if err != nil && network.Peering.Mode != model.PeeringSparse {
		// With mesh peering the list names every node: with host names of about 20
		// characters one ConfigMap holds about 6,000.
		return nil, fmt.Errorf("the static-nodes list of the network's %d nodes (peering: mode: %q, every node dials every other) does not fit a ConfigMap; set peering: mode: %q: %w",
			len(names), model.PeeringMesh, model.PeeringSparse, err)
	}
	return data, err
}

// Enode is the URL other nodes dial: the public key and the node's exposed endpoint.
func Enode(node model.Node, id model.Identity) string {
	return fmt.Sprintf("enode://%s@%s:%d", strings.TrimPrefix(id.PublicKey, "0x"), node.Endpoint.Host, node.Endpoint.Port)
}

// Renderer renders the network-wide files once and returns the renderer of one
// party's directory: what Platform.Parties returns.
func Renderer(network *model.Network, topology *peering.Graph) (func(model.Party, []model.Node) (map[string][]byte, error), error) {
	shared, err := renderShared(network, topology)
	if err != nil {
		return nil, err
	}
	return func(party model.Party, nodes []model.Node) (map[string][]byte, error) {
		return Party(network, party, nodes, shared)
	}, nil
}

// Party renders one party's directory, except the sealed secrets themselves:
//
//	shared/            genesis, peer lists, default-deny policy (same in every cluster)
//	nodes/<node>/      one node: StatefulSet, Services, NetworkPolicy, exposure
//	secrets/           the sealed node keys (written by flux-ledger keys) and their index
//	clusters/<cluster> what one cluster runs: shared, secrets, its own nodes, its PDB
//
// Each cluster reconciles only parties/<party>/clusters/<cluster>, so a party with
// several clusters runs each node exactly once.
func Party(network *model.Network, party model.Party, nodes []model.Node, shared *Shared) (Files, error) {
	files := Files{}
	r := &partyRenderer{network: network, party: party, files: files, sources: shared.Peering.Sources(party.Name), validators: shared.Validators}
	if err := r.shared(shared); err != nil {
		return nil, err
	}
	var secretFiles []string
	nodesByCluster := map[string][]model.Node{}
	for _, node := range nodes {
		if err := r.node(node); err != nil {
			return nil, err
		}
		secretFiles = append(secretFiles, path.Base(identity.SecretPath(party.Name, node.Name)))
		nodesByCluster[node.Cluster] = append(nodesByCluster[node.Cluster], node)
	}
	if err := files.Add("secrets/kustomization.yaml", partydir.Kustomization(secretFiles)); err != nil {
		return nil, err
	}
	for _, cluster := range network.ClustersOf(party.Name) {
		if err := r.cluster(cluster, nodesByCluster[cluster.Name]); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// ClusterPath is the directory a cluster reconciles, relative to the repository.
func ClusterPath(party, cluster string) string {
	return path.Join("parties", party, "clusters", cluster)
}

type partyRenderer struct {
	network *model.Network
	party   model.Party
	files   Files
	// sources are the egress CIDRs of the clusters the party's peers dial from.
	sources []string
	// validators counts the network's validators (Shared.Validators).
	validators int
}

func (r *partyRenderer) labels(node string) map[string]string {
	return model.Labels(r.network, r.party.Name, node)
}
