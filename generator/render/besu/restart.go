package besu

import (
	"bytes"
	"fmt"

	"github.com/flux-ledger/flux-ledger/generator/manifest"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// RestartedValidators lists the validators (of both networks) whose pods a change from
// before to after restarts. Peer lists, genesis, scripts and exposure are not in the
// template (ConfigMap volumes are refreshed in place and peer-sync applies peer
// changes), so topology changes restart no validator. A change may stop at most
// f = ⌊(n−1)/3⌋ validators network-wide, or QBFT stalls until they are back.
func RestartedValidators(before, after *model.Network) ([]string, error) {
	restarted, err := RestartedNodes(before, after)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range restarted {
		if before.Nodes[name].IsValidator() {
			out = append(out, name)
		}
	}
	return out, nil
}

// RestartedNodes lists the nodes present in both networks whose pods a change from
// before to after restarts, by name: those whose StatefulSet pod template changes,
// since the StatefulSet controller replaces a pod when its template does.
func RestartedNodes(before, after *model.Network) ([]string, error) {
	var out []string
	for _, name := range before.NodeNames() {
		old := before.Nodes[name]
		node, still := after.Nodes[name]
		if !still {
			continue
		}
		a, err := podTemplate(before, old)
		if err != nil {
			return nil, err
		}
		b, err := podTemplate(after, node)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(a, b) {
			out = append(out, name)
		}
	}
	return out, nil
}

func podTemplate(network *model.Network, node model.Node) ([]byte, error) {
	r := &partyRenderer{network: network, party: network.Parties[node.Party], files: Files{}}
	sts, err := r.statefulSet(node)
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", node.Name, err)
	}
	return manifest.Encode(sts.Spec.Template)
}
