package lifecycle

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// ScriptsConfigMap holds the Jobs' scripts.
const ScriptsConfigMap = "fabric-lifecycle-scripts"

// LabelComponent tells the lifecycle Jobs' pods (ComponentLifecycle) and the chaincode
// servers' pods (ComponentChaincodeServer) apart from the nodes' pods: a peer's or
// orderer's NetworkPolicy admits the Jobs' pods by it.
const (
	LabelComponent           = "ledger.flux-ledger.dev/component"
	ComponentLifecycle       = "lifecycle"
	ComponentChaincodeServer = "chaincode-server"
)

// Objects renders the lifecycle objects of one party: file name → typed object, one
// object per file, for the caller to place in the party's directory. nodes are the
// party's own orderers and peers.
func Objects(network *model.Network, party model.Party, nodes []model.Node) (map[string]any, error) {
	r, err := newRenderer(network, party, nodes)
	if err != nil {
		return nil, err
	}
	if err := r.render(); err != nil {
		return nil, fmt.Errorf("party %s: %w", party.Name, err)
	}
	return r.files, nil
}

type renderer struct {
	network  *model.Network
	fabric   *model.Fabric
	party    model.Party
	orderers []model.Node
	peers    []model.Node
	scripts  map[string]string
	files    map[string]any
}

func newRenderer(network *model.Network, party model.Party, nodes []model.Node) (*renderer, error) {
	if network.Fabric == nil {
		return nil, errors.New("network has no Fabric part")
	}
	if network.Fabric.Images.Tools == "" {
		return nil, errors.New("no tools image for the Fabric Jobs")
	}
	if party.MSPID == "" || party.Namespace == "" {
		return nil, fmt.Errorf("party %s: no MSP ID or namespace", party.Name)
	}
	scripts, err := scripts()
	if err != nil {
		return nil, err
	}
	r := &renderer{network: network, fabric: network.Fabric, party: party, scripts: scripts, files: map[string]any{}}
	for _, n := range slices.SortedFunc(slices.Values(nodes), func(a, b model.Node) int { return strings.Compare(a.Name, b.Name) }) {
		if n.Party != party.Name {
			return nil, fmt.Errorf("node %s belongs to %s, not to %s", n.Name, n.Party, party.Name)
		}
		switch n.Role {
		case model.RoleOrderer:
			r.orderers = append(r.orderers, n)
		case model.RolePeer:
			r.peers = append(r.peers, n)
		}
	}
	return r, nil
}

func (r *renderer) render() error {
	r.files["scripts.yaml"] = r.scriptsConfigMap()
	servers := []chaincodeServer{}
	for _, name := range r.fabric.ChannelNames() {
		ch := r.fabric.Channels[name]
		var block []byte
		if ch.GenesisBlock != "" {
			var err error
			if block, err = base64.StdEncoding.DecodeString(ch.GenesisBlock); err != nil {
				return fmt.Errorf("channel %s: genesis block: %w", name, err)
			}
		}
		if block != nil {
			for _, o := range r.orderers {
				if slices.Contains(ch.Consenters, o.Name) {
					if err := r.ordererJoin(o, name, block); err != nil {
						return err
					}
				}
			}
		}
		if !slices.Contains(ch.Members, r.party.Name) {
			continue
		}
		if block != nil {
			for _, p := range r.peers {
				if err := r.peerJoin(p, name, block); err != nil {
					return err
				}
			}
			if p, ok := r.observerIdentity(); ok {
				if err := r.observer(p, name); err != nil {
					return fmt.Errorf("channel %s observer: %w", name, err)
				}
			}
		}
		for _, ccName := range ch.ChaincodeNames() {
			s, err := r.chaincode(name, ch.Chaincodes[ccName], block != nil)
			if err != nil {
				return fmt.Errorf("channel %s chaincode %s: %w", name, ccName, err)
			}
			servers = append(servers, s)
		}
	}
	if len(servers) > 0 {
		r.files["chaincode-servers-networkpolicy.yaml"] = r.chaincodePolicy(servers)
	}
	return nil
}

func (r *renderer) labels(component string) map[string]string {
	labels := model.Labels(r.network, r.party.Name, "")
	labels[LabelComponent] = component
	return labels
}

func (r *renderer) meta(name, component string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: r.party.Namespace, Labels: r.labels(component)}
}

func (r *renderer) scriptsConfigMap() *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: r.meta(ScriptsConfigMap, ComponentLifecycle),
		Data:       r.scripts,
	}
}

// blockDigest is what a Job name hashes for a block: its SHA-256, not its bytes.
func blockDigest(block []byte) []byte {
	sum := sha256.Sum256(block)
	return sum[:]
}
