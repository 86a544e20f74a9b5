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
type Shared struct {
	Genesis []byte // shared/genesis.yaml
	Peers   []byte // shared/peers.yaml
	Scripts []byte // shared/scripts.yaml
	Votes   []byte // shared/validator-votes.yaml
}

// RenderShared renders the network-wide files: genesis and peer lists.
func RenderShared(network *model.Network) (*Shared, error) {
	genesis, err := Genesis(network)
	if err != nil {
		return nil, err
	}
	enodes := Enodes(network)
	static, err := json.MarshalIndent(enodes, "", "  ")
	if err != nil {
		return nil, err
	}
	static = append(static, '\n')
	cm := func(name string, data map[string]string) ([]byte, error) {
		return manifest.Encode(&corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: networkLabels(network)},
			Data:       data,
		})
	}
	shared := &Shared{}
	if shared.Genesis, err = cm(GenesisConfigMap, map[string]string{GenesisFile: string(genesis)}); err != nil {
		return nil, err
	}
	if shared.Peers, err = cm(PeersConfigMap, map[string]string{StaticNodesFile: string(static)}); err != nil {
		// Every node peers with every other, so the list grows with the network:
		// with host names of about 20 characters one ConfigMap holds about 6,000.
		return nil, fmt.Errorf("the static-nodes list of the network's %d nodes (every node peers with every other) does not fit a ConfigMap: %w", len(enodes), err)
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

// Enodes lists every node's enode URL, ordered by node name.
func Enodes(network *model.Network) []string {
	names := network.NodeNames()
	enodes := make([]string, 0, len(names))
	for _, name := range names {
		enodes = append(enodes, Enode(network.Nodes[name], network.Identities[name]))
	}
	return enodes
}

// Enode is the URL other nodes dial: the public key and the node's exposed endpoint.
func Enode(node model.Node, id model.Identity) string {
	return fmt.Sprintf("enode://%s@%s:%d", strings.TrimPrefix(id.PublicKey, "0x"), node.Endpoint.Host, node.Endpoint.Port)
}

// Renderer renders the network-wide files once and returns the renderer of one
// party's directory: what Platform.Parties returns.
func Renderer(network *model.Network) (func(model.Party, []model.Node) (map[string][]byte, error), error) {
	shared, err := RenderShared(network)
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
	r := &partyRenderer{network: network, party: party, files: files}
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
}

func (r *partyRenderer) labels(node string) map[string]string {
	return model.Labels(r.network, r.party.Name, node)
}
