package render

import (
	"crypto/sha256"
	"encoding/json"
	"maps"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// A unit's key digests everything its files are rendered from. Most of a network is
// read by every unit (a party's peer lists name every node, its NetworkPolicies
// every cluster's egress), so the key starts from one digest of the whole network. A
// few node fields are read only by the units of the node's own party: its party
// directory (the node's StatefulSet) and its cluster's entry point. Those fields are
// left out of the shared digest and added to the keys of the node's units alone, so
// that editing them — the most common change to a running network — leaves every
// other party's key, and so its rendering, as it was.
//
// localNodeFields must only name fields no other party's unit reads:
// TestLocalNodeFieldsChangeOnlyTheirPartysUnits changes each of them on one node of
// a synthetic network and checks that no file of any other party's unit changes.
// Leaving a field out of it is always safe; it only costs re-rendering.
type localNodeFields struct {
	Image     string          `json:"image"`
	Resources model.Resources `json:"resources"`
	Storage   model.Storage   `json:"storage"`
}

func localOf(node model.Node) localNodeFields {
	return localNodeFields{Image: node.Image, Resources: node.Resources, Storage: node.Storage}
}

// withoutLocal is node with its local fields zeroed.
func withoutLocal(node model.Node) model.Node {
	node.Image, node.Resources, node.Storage = "", model.Resources{}, model.Storage{}
	return node
}

// unitKeys computes the units' keys from one digest of the network's shared part.
type unitKeys struct{ shared [32]byte }

func newUnitKeys(network *model.Network) (unitKeys, error) {
	// The model is plain data with a JSON field for every exported field
	// (TestModelFieldsAllReachTheUnitKeys), and encoding/json writes maps in key order:
	// equal networks give equal bytes.
	shared := *network
	shared.Nodes = maps.Clone(network.Nodes)
	for name, node := range shared.Nodes {
		shared.Nodes[name] = withoutLocal(node)
	}
	data, err := json.Marshal(&shared)
	if err != nil {
		return unitKeys{}, err
	}
	return unitKeys{shared: sha256.Sum256(data)}, nil
}

// of is the key of the unit kind/name rendering nodes.
func (k unitKeys) of(kind, name string, nodes []model.Node) [32]byte {
	local := make([]localNodeFields, len(nodes))
	for i, node := range nodes {
		local[i] = localOf(node)
	}
	// Names and nodes are JSON-quoted, so no two inputs share an encoding.
	data, _ := json.Marshal(struct {
		Shared [32]byte          `json:"shared"`
		Kind   string            `json:"kind"`
		Name   string            `json:"name"`
		Local  []localNodeFields `json:"local"`
	}{k.shared, kind, name, local})
	return sha256.Sum256(data)
}
