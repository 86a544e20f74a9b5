// Package render turns a validated network into the desired tree: every file the
// generator owns, path → bytes, computed in memory. It dispatches each party's
// directory to the renderer of the network's platform (then adds each of its clusters'
// monitoring, render/monitoring) and each cluster's entry point to the Flux renderer,
// and never touches the disk.
package render

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/parallel"
	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/besu"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
	"github.com/flux-ledger/flux-ledger/generator/render/owners"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
	"github.com/flux-ledger/flux-ledger/generator/render/policies"
	"github.com/flux-ledger/flux-ledger/generator/secrets"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// Ownership is what the generator may write and delete: the parties/, clusters/ and
// policies/ directories, each platform's shared directories (Fabric's channels/, its
// pending config updates) whatever the network's platform, .sops.yaml and the
// ownership files (CODEOWNERS for GitHub and GitLab, the GitHub ruleset, the Azure
// DevOps policy script) — except what others write there (see WrittenByOthers).
var Ownership = tree.Ownership{
	Dirs:  append([]string{"parties", "clusters", policies.Dir}, sharedDirs()...),
	Files: append([]string{secrets.ConfigPath}, owners.Files...),
	Keep:  WrittenByOthers,
}

// sharedDirs are the registered platforms' shared directories, by platform name.
func sharedDirs() []string {
	var dirs []string
	for _, name := range slices.Sorted(maps.Keys(Platforms)) {
		dirs = append(dirs, Platforms[name].SharedDirs()...)
	}
	return dirs
}

// WrittenByOthers reports the files inside generator-owned directories that the
// generator must keep although it does not render them: each party's sealed node keys
// (written by flux-ledger keys) and the hand-written policy test suites.
func WrittenByOthers(p string) bool {
	if strings.HasPrefix(p, policies.TestsDir+"/") {
		return true
	}
	dir, file := path.Split(p)
	dir = path.Clean(dir)
	return path.Base(dir) == "secrets" && path.Dir(path.Dir(dir)) == "parties" && file != "kustomization.yaml"
}

// Seeded reports the files the generator creates when they are missing but never
// rewrites: the placeholders of clusters/<cluster>/flux-system/ that `flux bootstrap`
// replaces with its own gotk-components.yaml and gotk-sync.yaml.
func Seeded(p string) bool {
	dir, file := path.Split(p)
	dir = path.Clean(dir)
	return path.Base(dir) == flux.BootstrapNamespace && path.Dir(path.Dir(dir)) == "clusters" && slices.Contains(flux.BootstrapPlaceholders, file)
}

// Desired is the whole tree generate writes for a network: the rendered files and,
// in every owned directory, the index of what the generator wrote there.
func Desired(network *model.Network) (tree.Tree, error) {
	desired, err := Render(network)
	if err != nil {
		return nil, err
	}
	tree.AddIndexes(desired, Ownership)
	return desired, nil
}

// PartyRenderer renders one party's directory: paths relative to parties/<party>/.
type PartyRenderer = platform.PartyRenderer

// Platforms maps a network's platform (network.platform) to its ledger: everything
// generate, launch and plan do differently per ledger goes through it. A ledger is
// added here, in one line, with a package of its own beside render/besu that
// implements platform.Platform.
var Platforms = map[string]platform.Platform{
	"besu":   besu.Platform{},
	"fabric": fabric.Platform{},
}

// PlatformOf is the ledger network runs.
func PlatformOf(network *model.Network) (platform.Platform, error) {
	p, ok := Platforms[network.Platform]
	if !ok {
		return nil, fmt.Errorf("platform %q has no renderer", network.Platform)
	}
	return p, nil
}

// Offering names, as people write them, the registered platforms that implement C
// (one of platform's capabilities): "Fabric" for platform.Channels. It says whose a
// command is when the network's platform has no such thing.
func Offering[C any]() string {
	var names []string
	for _, key := range slices.Sorted(maps.Keys(Platforms)) {
		if _, ok := Platforms[key].(C); ok {
			names = append(names, Platforms[key].Name())
		}
	}
	return strings.Join(names, " and ")
}

// Render renders the whole desired tree. Every node must have a public identity.
func Render(network *model.Network) (tree.Tree, error) {
	out, units, err := Split(network)
	if err != nil {
		return nil, err
	}
	rendered, err := RenderUnits(units)
	if err != nil {
		return nil, err
	}
	for i, files := range rendered {
		for p, data := range files {
			out[path.Join(units[i].Dir, p)] = data
		}
	}
	return out, nil
}

// Unit is a directory of the tree rendered on its own: a party's directory, its
// policies or a cluster's entry point. Its files depend on nothing but the inputs Key digests, so a
// unit whose key is unchanged renders the same bytes again (see rendercache).
type Unit struct {
	// Dir is the unit's directory: parties/<party>, policies/parties/<party> or
	// clusters/<cluster>.
	Dir string
	// Key is a SHA-256 over every input the unit's files are rendered from (keys.go).
	Key [32]byte
	// render makes the unit's files, by path relative to Dir.
	render func() (map[string][]byte, error)
}

// Split renders the files that depend on the whole network (.sops.yaml, the ownership
// files, the platform's shared directories) and returns, unrendered, the units: every
// party's directory and policies, and every cluster's entry point.
func Split(network *model.Network) (tree.Tree, []Unit, error) {
	ledger, err := PlatformOf(network)
	if err != nil {
		return nil, nil, err
	}
	out := tree.Tree{}
	sopsConfig, err := secrets.Config(network)
	if err != nil {
		return nil, nil, err
	}
	out[secrets.ConfigPath] = sopsConfig
	ownerFiles, err := owners.Render(network)
	if err != nil {
		return nil, nil, err
	}
	for p, data := range ownerFiles {
		out[p] = data
	}

	shared, err := ledger.Shared(network)
	if err != nil {
		return nil, nil, err
	}
	for p, data := range shared {
		out[p] = data
	}

	// What every party's directory shares (Fabric's channel blocks, Besu's genesis) is
	// computed once, and only if some party's directory renders at all.
	// Who dials whom is read by the party directories, their monitoring rules and
	// the clusters' Azure Monitor rules: computed once, and only if one renders.
	topology := sync.OnceValue(func() *peering.Graph { return peering.Of(network) })
	renderParty := sync.OnceValues(func() (platform.PartyRenderer, error) { return ledger.Parties(network, topology()) })
	nodesByParty := network.NodesByParty()
	nodesByCluster := map[string][]model.Node{}
	for _, name := range network.NodeNames() {
		node := network.Nodes[name]
		nodesByCluster[node.Cluster] = append(nodesByCluster[node.Cluster], node)
	}
	keys, err := newUnitKeys(network)
	if err != nil {
		return nil, nil, err
	}
	var units []Unit
	for _, name := range network.PartyNames() {
		units = append(units, Unit{Dir: path.Join("parties", name), Key: keys.of("party", name, nodesByParty[name]),
			render: func() (map[string][]byte, error) {
				renderOne, err := renderParty()
				if err != nil {
					return nil, err
				}
				files, err := renderOne(network.Parties[name], nodesByParty[name])
				if err == nil {
					err = monitoring.Party(network, topology(), network.Parties[name], nodesByParty[name], files)
				}
				if err != nil {
					err = fmt.Errorf("party %s: %w", name, err)
				}
				return files, err
			}})
	}
	for _, name := range network.PartyNames() {
		units = append(units, Unit{Dir: policies.PartyDir(name), Key: keys.of("policies", name, nodesByParty[name]),
			render: func() (map[string][]byte, error) { return policies.Party(network, name) }})
	}
	for _, name := range network.ClusterNames() {
		units = append(units, Unit{Dir: flux.EntryPath(name), Key: keys.of("cluster", name, nodesByCluster[name]),
			render: func() (map[string][]byte, error) {
				files, err := flux.Cluster(network, topology(), network.Clusters[name], nodesByCluster[name])
				if err != nil {
					err = fmt.Errorf("cluster %s: %w", name, err)
				}
				return files, err
			}})
	}
	return out, units, nil
}

// RenderUnits renders the units, in parallel: each party directory and each cluster
// entry point is independent of the others. The i-th result holds units[i]'s files,
// by path relative to its Dir; the first error in unit order is returned.
func RenderUnits(units []Unit) ([]map[string][]byte, error) {
	results := make([]map[string][]byte, len(units))
	err := parallel.For(len(units), func(i int) (err error) {
		results[i], err = units[i].render()
		return err
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}
