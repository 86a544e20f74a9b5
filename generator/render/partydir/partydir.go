// Package partydir writes a party's directory in the kustomize layout every ledger
// platform shares: files encoded by package manifest, each directory listing its files
// in a sorted kustomization.yaml, and shared/ placing the network-wide files in the
// party's namespace with the party's label.
package partydir

import (
	"fmt"
	"path"
	"sort"

	kustomize "sigs.k8s.io/kustomize/api/types"

	"github.com/flux-ledger/flux-ledger/generator/manifest"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Files maps file names, relative to the party's directory, to contents.
type Files map[string][]byte

// Add encodes obj as the file name.
func (f Files) Add(name string, obj any) error {
	data, err := manifest.Encode(obj)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	f[name] = data
	return nil
}

// AddDir adds the objects as files of dir and its kustomization.yaml listing them and
// any further resources (such as other directories).
func (f Files) AddDir(dir string, objects map[string]any, extra ...string) error {
	resources := append([]string{}, extra...)
	for name, obj := range objects {
		if err := f.Add(path.Join(dir, name), obj); err != nil {
			return err
		}
		resources = append(resources, name)
	}
	return f.AddKustomization(dir, Kustomization(resources))
}

// AddKustomization writes dir/kustomization.yaml with its resources sorted.
func (f Files) AddKustomization(dir string, k *kustomize.Kustomization) error {
	sort.Strings(k.Resources)
	return f.Add(path.Join(dir, "kustomization.yaml"), k)
}

// Kustomization lists resources.
func Kustomization(resources []string) *kustomize.Kustomization {
	return &kustomize.Kustomization{
		TypeMeta:  kustomize.TypeMeta{APIVersion: kustomize.KustomizationVersion, Kind: kustomize.KustomizationKind},
		Resources: resources,
	}
}

// SharedKustomization lists shared/: the network-wide files carry no namespace and no
// party, so that they are byte-identical in every party's directory; this sets both.
func SharedKustomization(party model.Party, resources []string) *kustomize.Kustomization {
	k := Kustomization(resources)
	k.Namespace = party.Namespace
	k.Labels = []kustomize.Label{{Pairs: map[string]string{model.LabelParty: party.Name}}}
	return k
}
