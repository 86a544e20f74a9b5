// Package render turns a validated network into the desired tree: every file the
// generator owns, path → bytes, computed in memory. It dispatches each party's
// directory to the renderer of the network's platform and never touches the disk.
package render

import (
	"fmt"
	"path"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/besu"
	"github.com/flux-ledger/flux-ledger/generator/secrets"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// Ownership is what the generator may write and delete: the parties/ and clusters/
// directories and .sops.yaml, except each party's secrets/, which `flux-ledger keys`
// writes and the generator only references.
var Ownership = tree.Ownership{
	Dirs:  []string{"parties", "clusters"},
	Files: []string{secrets.ConfigPath},
	Keep:  IsSecret,
}

// IsSecret reports whether a path is a sealed secret under parties/<party>/secrets/.
func IsSecret(p string) bool {
	dir := path.Dir(p)
	return path.Base(dir) == "secrets" && path.Dir(path.Dir(dir)) == "parties"
}

// Render renders the whole desired tree. Every node must have a public identity.
func Render(network *model.Network) (tree.Tree, error) {
	if network.Platform != "besu" {
		return nil, fmt.Errorf("platform %q has no renderer", network.Platform)
	}
	out := tree.Tree{}
	sopsConfig, err := secrets.Config(network)
	if err != nil {
		return nil, err
	}
	out[secrets.ConfigPath] = sopsConfig

	shared, err := besu.RenderShared(network)
	if err != nil {
		return nil, err
	}
	nodesByParty := network.NodesByParty()
	for _, name := range network.PartyNames() {
		files, err := besu.Party(network, network.Parties[name], nodesByParty[name], shared)
		if err != nil {
			return nil, fmt.Errorf("party %s: %w", name, err)
		}
		for p, data := range files {
			out[path.Join("parties", name, p)] = data
		}
	}
	return out, nil
}
