package flux

import (
	"maps"
	"slices"
	"strings"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
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

// BootstrapKustomization is the Kustomization bootstrap writes into gotk-sync.yaml.
const BootstrapKustomization = "flux-system"

// BootstrapPlaceholders are the files flux-system/kustomization.yaml lists that
// `flux bootstrap` writes: the generator creates them empty when missing, so the entry
// point builds before bootstrap (and bootstrap, which applies this kustomization.yaml
// once it has written gotk-components.yaml, finds gotk-sync.yaml), and never
// overwrites what bootstrap put there.
var BootstrapPlaceholders = []string{BootstrapComponents, BootstrapSync}

// placeholder is the content of a bootstrap file before bootstrap ran: no objects.
const placeholder = "# Written by `flux bootstrap`; flux-ledger only creates this placeholder.\n"

// fluxSystem renders a bootstrap-compatible flux-system/: the kustomization that
// bootstrap keeps (it only writes one when none exists) and that carries every change
// to bootstrap's own files as a patch, as flux2-multi-tenancy does. Bootstrap rewrites
// gotk-sync.yaml on every run, so the lockdown may not live there: the patches add the
// lockdown flags to the controllers (gotk-components.yaml) and, because
// --default-service-account leaves a Kustomization without serviceAccountName
// powerless, name the controller's own account on bootstrap's flux-system
// Kustomization, the only one allowed to install cluster-wide objects.
func (r *clusterRenderer) fluxSystem() error {
	for _, name := range BootstrapPlaceholders {
		r.files[BootstrapNamespace+"/"+name] = []byte(placeholder)
	}
	var patches []kustomize.Patch
	jsonPatch := func(op, path, value string) (string, error) {
		data, err := yaml.Marshal([]map[string]string{{"op": op, "path": path, "value": value}})
		return string(data), err
	}
	for _, flag := range slices.Sorted(maps.Keys(LockdownFlags)) {
		op, err := jsonPatch("add", "/spec/template/spec/containers/0/args/-", flag)
		if err != nil {
			return err
		}
		patches = append(patches, kustomize.Patch{
			Patch:  op,
			Target: &kustomize.Selector{ResId: resid.ResId{Gvk: resid.Gvk{Kind: "Deployment"}, Name: "(" + strings.Join(LockdownFlags[flag], "|") + ")"}},
		})
	}
	// "add" replaces an existing member, so the patch holds whether or not a later
	// bootstrap version starts writing serviceAccountName itself.
	op, err := jsonPatch("add", "/spec/serviceAccountName", "kustomize-controller")
	if err != nil {
		return err
	}
	patches = append(patches, kustomize.Patch{
		Patch:  op,
		Target: &kustomize.Selector{ResId: resid.ResId{Gvk: resid.Gvk{Group: kustomizev1.GroupVersion.Group, Kind: kustomizev1.KustomizationKind}, Name: BootstrapKustomization}},
	})
	return r.addStream(BootstrapNamespace+"/kustomization.yaml", &kustomize.Kustomization{
		TypeMeta:  kustomize.TypeMeta{APIVersion: kustomize.KustomizationVersion, Kind: kustomize.KustomizationKind},
		Resources: BootstrapPlaceholders,
		Patches:   patches,
	})
}
