package fabric

import (
	"fmt"
	"path"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/manifest"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/layout"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/lifecycle"
	"github.com/flux-ledger/flux-ledger/generator/render/partydir"
)

// Label keys of ledger workloads: the same keys Besu's workloads carry, so policies
// and dashboards select either platform's nodes alike.
const (
	LabelRole = "ledger.flux-ledger.dev/role"
	// LabelScrape marks namespaces whose pods may scrape node metrics.
	LabelScrape = "ledger.flux-ledger.dev/scrape"
)

// Files maps file names, relative to the party's directory, to contents.
type Files = partydir.Files

// Shared holds the files every party's directory carries byte for byte, encoded once:
// one ConfigMap per channel with its genesis block, the TLS roots and the CouchDB
// settings. They have no namespace and no party label: each party's
// shared/kustomization.yaml sets both.
type Shared struct {
	// Channels maps a file name under shared/ to its ConfigMap.
	Channels map[string][]byte
	TLSRoots []byte
	CouchDB  []byte
	// Submissions are the signed channel updates each party's Job submits, by party.
	Submissions map[string][]lifecycle.ChannelSubmission
	// Egress is every cluster's egress CIDRs: what every node's p2p exposure admits
	// (Fabric's gossip and orderers dial any organisation's nodes).
	Egress []string
}

// Names of the shared files.
const (
	TLSRootsFile = "tls-roots.yaml"
	CouchDBFile  = "couchdb.yaml"
	OrgFile      = "org.yaml"
)

// ChannelFile is the file under shared/ holding a channel's genesis ConfigMap.
func ChannelFile(channel string) string { return layout.ChannelConfigMap(channel) + ".yaml" }

// RenderShared renders the network-wide files.
func RenderShared(network *model.Network) (*Shared, error) {
	if network.Fabric == nil {
		return nil, fmt.Errorf("network %s has no fabric section", network.Name)
	}
	labels := map[string]string{model.LabelNetwork: network.Name, model.LabelManaged: "flux-ledger"}
	meta := func(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name, Labels: labels} }
	typeMeta := metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}
	shared := &Shared{Channels: map[string][]byte{}, Egress: network.EgressCIDRs()}
	for _, name := range network.Fabric.ChannelNames() {
		block, err := ChannelBlock(network, name)
		if err != nil {
			return nil, err
		}
		compressed, err := CompressBlock(block)
		if err != nil {
			return nil, err
		}
		data, err := manifest.Encode(&corev1.ConfigMap{
			TypeMeta:   typeMeta,
			ObjectMeta: meta(layout.ChannelConfigMap(name)),
			BinaryData: map[string][]byte{layout.GenesisBlockKey: compressed},
		})
		if err != nil {
			return nil, fmt.Errorf("channel %s: its genesis block, %d bytes (%d compressed), does not fit a ConfigMap: %w", name, len(block), len(compressed), err)
		}
		shared.Channels[ChannelFile(name)] = data
	}
	roots := map[string]string{}
	for _, name := range network.PartyNames() {
		id, ok := network.MSP[name]
		if !ok || id.TLSCACert == "" {
			return nil, fmt.Errorf("party %s has no TLS CA certificate (flux-ledger keys init)", name)
		}
		roots[TLSRootFile(network.Parties[name].MSPID)] = id.TLSCACert
	}
	var err error
	if shared.TLSRoots, err = manifest.Encode(&corev1.ConfigMap{TypeMeta: typeMeta, ObjectMeta: meta(layout.TLSRootsConfigMap), Data: roots}); err != nil {
		return nil, err
	}
	if shared.CouchDB, err = manifest.Encode(&corev1.ConfigMap{TypeMeta: typeMeta, ObjectMeta: meta(CouchDBConfigMap), Data: map[string]string{CouchDBIniFile: couchDBIni}}); err != nil {
		return nil, err
	}
	if shared.Submissions, err = submissions(network); err != nil {
		return nil, err
	}
	return shared, nil
}

// TLSRootFile is the entry of the TLS roots ConfigMap holding an organisation's TLS CA.
func TLSRootFile(mspID string) string { return mspID + ".pem" }

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
//	shared/            channel blocks, TLS roots, CouchDB settings (same in every party),
//	                   the party's MSP ConfigMap, default-deny policy and peers' core.yaml
//	nodes/<node>/      one node: certificates, StatefulSet, Service, NetworkPolicy, exposure
//	secrets/           the sealed node and admin keys (written by flux-ledger keys), indexed
//	clusters/<cluster> what one cluster runs: shared, secrets, its own nodes, its PDB
func Party(network *model.Network, party model.Party, nodes []model.Node, shared *Shared) (Files, error) {
	files := Files{}
	r := &partyRenderer{network: network, party: party, files: files, submissions: shared.Submissions[party.Name], sources: shared.Egress}
	for _, node := range nodes {
		if node.Role == model.RolePeer && r.core == nil {
			core, err := r.peerCore()
			if err != nil {
				return nil, err
			}
			r.core = core
		}
	}
	if err := r.shared(shared); err != nil {
		return nil, err
	}
	var secretFiles []string
	nodesByCluster := map[string][]model.Node{}
	for _, node := range nodes {
		if err := r.node(node); err != nil {
			return nil, fmt.Errorf("node %s: %w", node.Name, err)
		}
		secretFiles = append(secretFiles, path.Base(identity.SecretPath(party.Name, node.Name)))
		nodesByCluster[node.Cluster] = append(nodesByCluster[node.Cluster], node)
	}
	// The admin's keys go to the clusters (the Jobs sign with them); the CA keys never.
	secretFiles = append(secretFiles, path.Base(identity.FabricSecretPath(party.Name, identity.FabricAdminSecret)))
	if err := r.files.AddKustomization("secrets", partydir.Kustomization(secretFiles)); err != nil {
		return nil, err
	}
	for _, cluster := range network.ClustersOf(party.Name) {
		if err := r.cluster(cluster, nodesByCluster[cluster.Name]); err != nil {
			return nil, err
		}
	}
	return files, nil
}

type partyRenderer struct {
	network *model.Network
	party   model.Party
	files   Files
	// core is the party's peer core.yaml; nil when it runs no peer.
	core []byte
	// submissions are the signed channel updates the party submits.
	submissions []lifecycle.ChannelSubmission
	// sources are where the party's nodes admit p2p connections from (Shared.Egress).
	sources []string
}

func (r *partyRenderer) labels(node string) map[string]string {
	return model.Labels(r.network, r.party.Name, node)
}

func (r *partyRenderer) meta(name, node string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: r.party.Namespace, Labels: r.labels(node)}
}
