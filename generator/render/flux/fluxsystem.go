package flux

import (
	"maps"
	"slices"
	"strings"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kustomize "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/resid"
	"sigs.k8s.io/yaml"
)

// What `flux bootstrap` names and writes in clusters/<cluster>/flux-system/.
const (
	BootstrapNamespace  = "flux-system"
	BootstrapComponents = "gotk-components.yaml"
	BootstrapSync       = "gotk-sync.yaml"
)

// LockdownFlags are the Flux multi-tenancy lockdown: no cross-namespace references, no
// remote kustomize bases, and impersonation of a service account without permissions
// unless a Kustomization names its own.
var LockdownFlags = map[string][]string{
	"--no-cross-namespace-refs=true":    {"kustomize-controller", "helm-controller", "notification-controller", "image-reflector-controller", "image-automation-controller"},
	"--no-remote-bases=true":            {"kustomize-controller"},
	"--default-service-account=default": {"kustomize-controller", "helm-controller"},
}

// fluxSystem renders a bootstrap-compatible flux-system/: the sync objects
// `flux bootstrap --path=clusters/<cluster>` writes, and a kustomization that adds the
// lockdown flags to the controllers bootstrap installs (gotk-components.yaml, which
// bootstrap commits and the generator keeps).
func (r *clusterRenderer) fluxSystem() error {
	repo := &sourcev1.GitRepository{
		TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.GitRepositoryKind},
		ObjectMeta: metav1.ObjectMeta{Name: BootstrapNamespace, Namespace: BootstrapNamespace},
		Spec: sourcev1.GitRepositorySpec{
			URL:       r.network.Repository.URL,
			Reference: &sourcev1.GitRepositoryRef{Branch: r.network.Repository.Branch},
			Interval:  metav1.Duration{Duration: time.Minute},
			SecretRef: &meta.LocalObjectReference{Name: BootstrapNamespace},
		},
	}
	sync := &kustomizev1.Kustomization{
		TypeMeta:   metav1.TypeMeta{APIVersion: kustomizev1.GroupVersion.String(), Kind: kustomizev1.KustomizationKind},
		ObjectMeta: metav1.ObjectMeta{Name: BootstrapNamespace, Namespace: BootstrapNamespace},
		Spec: kustomizev1.KustomizationSpec{
			Interval:  syncInterval,
			Path:      "./" + EntryPath(r.cluster.Name),
			Prune:     true,
			SourceRef: kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.GitRepositoryKind, Name: BootstrapNamespace},
			// With --default-service-account the entry point must name the controller's own
			// account, the only one allowed to install cluster-wide objects.
			ServiceAccountName: "kustomize-controller",
		},
	}
	if err := r.addStream("flux-system/"+BootstrapSync, repo, sync); err != nil {
		return err
	}
	var patches []kustomize.Patch
	for _, flag := range slices.Sorted(maps.Keys(LockdownFlags)) {
		op, err := yaml.Marshal([]map[string]string{{"op": "add", "path": "/spec/template/spec/containers/0/args/-", "value": flag}})
		if err != nil {
			return err
		}
		patches = append(patches, kustomize.Patch{
			Patch:  string(op),
			Target: &kustomize.Selector{ResId: resid.ResId{Gvk: resid.Gvk{Kind: "Deployment"}, Name: "(" + strings.Join(LockdownFlags[flag], "|") + ")"}},
		})
	}
	return r.addStream("flux-system/kustomization.yaml", &kustomize.Kustomization{
		TypeMeta:  kustomize.TypeMeta{APIVersion: kustomize.KustomizationVersion, Kind: kustomize.KustomizationKind},
		Resources: []string{BootstrapComponents, BootstrapSync},
		Patches:   patches,
	})
}
