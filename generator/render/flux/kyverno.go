package flux

import (
	"time"

	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kustomize "sigs.k8s.io/kustomize/api/types"
)

// Kyverno installation, when the network's compliance asks for it.
const (
	// KyvernoKustomization installs Kyverno; the policies wait for it.
	KyvernoKustomization = "ledger-kyverno"
	// KyvernoAccount installs Kyverno: an admission controller with its CRDs and
	// webhooks is cluster-wide, so this account is cluster-admin — the one broad grant
	// the entry point makes, and only when the network asks for the install.
	KyvernoAccount = "ledger-kyverno"
	// KyvernoDir holds the HelmRepository and HelmRelease, relative to the entry point.
	KyvernoDir        = "kyverno"
	kyvernoNamespace  = "kyverno"
	kyvernoRepository = "https://kyverno.github.io/kyverno/"
)

// kyvernoRBAC is the installer's account and its cluster-admin binding.
func (r *clusterRenderer) kyvernoRBAC() []any {
	binding := "flux-ledger-kyverno-" + r.party.Name
	return []any{
		&corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}, ObjectMeta: r.meta(KyvernoAccount, r.cluster.GitOps.Namespace)},
		&rbacv1.ClusterRoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
			ObjectMeta: r.meta(binding, ""),
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: KyvernoAccount, Namespace: r.cluster.GitOps.Namespace}},
		},
	}
}

// kyverno renders clusters/<cluster>/kyverno/: the chart's HelmRepository and a
// HelmRelease pinned to the network's chart version.
func (r *clusterRenderer) kyverno() error {
	gitops := r.cluster.GitOps.Namespace
	hour := metav1.Duration{Duration: time.Hour}
	repo := &sourcev1.HelmRepository{
		TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.HelmRepositoryKind},
		ObjectMeta: r.meta("kyverno", gitops),
		Spec:       sourcev1.HelmRepositorySpec{URL: kyvernoRepository, Interval: hour},
	}
	release := map[string]any{
		"apiVersion": "helm.toolkit.fluxcd.io/v2",
		"kind":       "HelmRelease",
		"metadata":   map[string]any{"name": "kyverno", "namespace": gitops, "labels": r.labels()},
		"spec": map[string]any{
			"interval":           "1h",
			"releaseName":        "kyverno",
			"targetNamespace":    kyvernoNamespace,
			"serviceAccountName": KyvernoAccount,
			// Every party's workloads wait for Kyverno: a failed install or upgrade must
			// not stall them until someone intervenes. Retry without end (a negative
			// count, helm-controller api/v2 InstallRemediation/UpgradeRemediation),
			// uninstalling between install attempts and rolling back a failed upgrade.
			"install": map[string]any{"createNamespace": true, "crds": "CreateReplace", "remediation": map[string]any{"retries": -1}},
			"upgrade": map[string]any{"crds": "CreateReplace", "remediation": map[string]any{"retries": -1, "strategy": "rollback"}},
			// The chart renders its CRDs as templates (its crds subchart), not from a
			// crds/ directory, so install.crds/upgrade.crds above do not reach them and
			// Helm deletes them with the release: an uninstall, or the remediation of a
			// failed install, would delete every ClusterPolicy — the guards included.
			// The chart's crds.annotations value ("Additional CRDs annotations", kyverno
			// chart README, Custom resource definitions) gives them Helm's
			// helm.sh/resource-policy: keep, which makes uninstall, upgrade and rollback
			// leave them in place (helm.sh docs, "Chart Development Tips and Tricks",
			// Tell Helm Not To Uninstall a Resource).
			"values": map[string]any{"crds": map[string]any{"annotations": map[string]any{"helm.sh/resource-policy": "keep"}}},
			"chart": map[string]any{"spec": map[string]any{
				"chart":     "kyverno",
				"version":   r.network.Compliance.Kyverno.ChartVersion,
				"interval":  "1h",
				"sourceRef": map[string]any{"kind": sourcev1.HelmRepositoryKind, "name": "kyverno"},
			}},
		},
	}
	if err := r.addStream(KyvernoDir+"/kyverno.yaml", repo, release); err != nil {
		return err
	}
	return r.addStream(KyvernoDir+"/kustomization.yaml", &kustomize.Kustomization{
		TypeMeta:  kustomize.TypeMeta{APIVersion: kustomize.KustomizationVersion, Kind: kustomize.KustomizationKind},
		Resources: []string{"kyverno.yaml"},
	})
}
