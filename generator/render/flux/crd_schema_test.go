package flux_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// crdField returns the OpenAPI schema of a field of a Flux kind in one release line's
// CRDs (copied by make tools from the controllers' module zips), or nil when the
// schema has no such field.
func crdField(t *testing.T, release, kind, version string, path ...string) map[string]any {
	t.Helper()
	for _, crd := range testenv.FluxCRDs(t, release) {
		if k, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "kind"); k != kind {
			continue
		}
		versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
		for _, v := range versions {
			v := v.(map[string]any)
			if v["name"] != version {
				continue
			}
			schema, _, _ := unstructured.NestedMap(v, "schema", "openAPIV3Schema")
			for _, p := range path {
				// An array's fields are those of its items.
				if items, isArray := schema["items"].(map[string]any); isArray {
					schema = items
				}
				props, _ := schema["properties"].(map[string]any)
				next, ok := props[p].(map[string]any)
				if !ok {
					return nil
				}
				schema = next
			}
			return schema
		}
	}
	t.Fatalf("Flux %s has no %s %s CRD", release, kind, version)
	return nil
}
