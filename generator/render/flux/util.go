package flux

import (
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/resid"
)

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func join(s []string, sep string) string { return strings.Join(s, sep) }

func resID(kind, name string) resid.ResId {
	return resid.ResId{Gvk: resid.Gvk{Kind: kind}, Name: name}
}
