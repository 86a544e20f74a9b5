package testenv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
)

// Kube applies objects to one API server through its discovery-backed REST mapping.
type Kube struct {
	Dynamic dynamic.Interface
	Mapper  *restmapper.DeferredDiscoveryRESTMapper
}

// Connect returns a Kube for the API server.
func (s *APIServer) Connect(t testing.TB) *Kube {
	t.Helper()
	dyn, err := dynamic.NewForConfig(s.Config)
	if err != nil {
		t.Fatal(err)
	}
	disco, err := discovery.NewDiscoveryClientForConfig(s.Config)
	if err != nil {
		t.Fatal(err)
	}
	return &Kube{Dynamic: dyn, Mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco))}
}

// Resource maps an object to its dynamic client, namespaced when its kind is.
func (k *Kube) Resource(obj *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := obj.GroupVersionKind()
	mapping, err := k.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		k.Mapper.Reset()
		if mapping, err = k.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
			return nil, err
		}
	}
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		return k.Dynamic.Resource(mapping.Resource).Namespace(obj.GetNamespace()), nil
	}
	return k.Dynamic.Resource(mapping.Resource), nil
}

// Apply server-side applies the object; with dryRun the server validates it fully
// (schema, defaulting, admission) and stores nothing.
func (k *Kube) Apply(ctx context.Context, obj *unstructured.Unstructured, dryRun bool) error {
	res, err := k.Resource(obj)
	if err != nil {
		return err
	}
	opts := metav1.ApplyOptions{FieldManager: "flux-ledger-test", Force: true}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	_, err = res.Apply(ctx, obj.GetName(), obj, opts)
	return err
}

// InstallCRDs applies CRDs and waits until the server serves each of their kinds.
func (k *Kube) InstallCRDs(t testing.TB, crds []*unstructured.Unstructured) {
	t.Helper()
	ctx := context.Background()
	for _, crd := range crds {
		if err := k.Apply(ctx, crd, false); err != nil {
			t.Fatalf("install CRD %s: %v", crd.GetName(), err)
		}
	}
	for _, crd := range crds {
		group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "kind")
		Eventually(t, "CRD "+crd.GetName(), 60*time.Second, func() error {
			k.Mapper.Reset()
			_, err := k.Mapper.RESTMapping(schemaGroupKind(group, kind))
			return err
		})
	}
}

// ReadObjects decodes every document of the YAML files.
func ReadObjects(t testing.TB, paths ...string) []*unstructured.Unstructured {
	t.Helper()
	var objs []*unstructured.Unstructured
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		objs = append(objs, DecodeObjects(t, data)...)
	}
	return objs
}

// DecodeObjects decodes a YAML stream.
func DecodeObjects(t testing.TB, data []byte) []*unstructured.Unstructured {
	t.Helper()
	var objs []*unstructured.Unstructured
	decoder := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var obj map[string]any
		if err := decoder.Decode(&obj); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if obj != nil {
			objs = append(objs, &unstructured.Unstructured{Object: obj})
		}
	}
	return objs
}

// fluxReleases are the controller versions of each Flux release line the tests cover:
// 2.7 is what Arc's microsoft.flux extension runs.
var fluxReleases = map[string]map[string]string{
	"2.7": {"kustomize-controller": "v1.7.3", "source-controller": "v1.7.3", "helm-controller": "v1.4.3"},
	"2.9": {"kustomize-controller": "v1.9.5", "source-controller": "v1.9.5", "helm-controller": "v1.6.4"},
}

// FluxCRDs reads the CRDs of one Flux release line ("2.7" or "2.9") copied by
// `make tools` from the controllers' module zips.
func FluxCRDs(t testing.TB, release string) []*unstructured.Unstructured {
	t.Helper()
	versions, ok := fluxReleases[release]
	if !ok {
		t.Fatalf("unknown Flux release %q", release)
	}
	var paths []string
	for _, controller := range slices.Sorted(maps.Keys(versions)) {
		dir := filepath.Join(RepoRoot(t), "bin", "crds", controller+"@"+versions[controller])
		matches, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		if len(matches) == 0 {
			if os.Getenv("FLUX_LEDGER_REQUIRE_TOOLS") == "1" {
				t.Fatalf("no CRDs in %s (run make tools)", dir)
			}
			t.Skipf("no CRDs in %s: run make tools", dir)
		}
		paths = append(paths, matches...)
	}
	return ReadObjects(t, paths...)
}

// OpenCRD is a CRD that accepts any content, for third-party kinds whose real schema
// the tests do not have (Ambassador, HAProxy, Istio, Kyverno): it checks group,
// version, kind, scope and metadata, not the spec.
func OpenCRD(group, version, kind string) *unstructured.Unstructured {
	return openCRD(group, version, kind, apiextensionsv1.NamespaceScoped)
}

// OpenClusterCRD is OpenCRD for a cluster-scoped kind (Kyverno's ClusterPolicy).
func OpenClusterCRD(group, version, kind string) *unstructured.Unstructured {
	return openCRD(group, version, kind, apiextensionsv1.ClusterScoped)
}

func openCRD(group, version, kind string, scope apiextensionsv1.ResourceScope) *unstructured.Unstructured {
	plural := strings.ToLower(kind) + "s"
	if strings.HasSuffix(kind, "cy") { // Policy → policies; Gateway → gateways
		plural = strings.ToLower(strings.TrimSuffix(kind, "y")) + "ies"
	}
	crd := &apiextensionsv1.CustomResourceDefinition{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apiextensions.k8s.io/v1", Kind: "CustomResourceDefinition"},
		ObjectMeta: metav1.ObjectMeta{Name: plural + "." + group},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: group,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Kind: kind, Plural: plural, Singular: strings.ToLower(kind), ListKind: kind + "List"},
			Scope: scope,
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: version, Served: true, Storage: true,
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object", XPreserveUnknownFields: ptrTrue(),
				}},
			}},
		},
	}
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(crd)
	if err != nil {
		panic(fmt.Sprintf("OpenCRD: %v", err))
	}
	return &unstructured.Unstructured{Object: obj}
}

func ptrTrue() *bool { b := true; return &b }
