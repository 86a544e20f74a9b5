// Package flux renders each cluster's GitOps entry point, clusters/<cluster>/: the
// party's ledger namespace, the least-privilege service accounts Flux impersonates, and
// the Flux Kustomizations that reconcile the consortium's policies and then the party's
// own directory — nothing else. For Azure Arc clusters it also renders the
// fluxConfiguration (ARM template, Bicep, az script); for plain Flux, a
// bootstrap-compatible flux-system/ sync with the multi-tenancy lockdown.
package flux

import (
	"fmt"
	"path"
	"sort"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	kustomizeapi "github.com/fluxcd/pkg/apis/kustomize"
	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kustomize "sigs.k8s.io/kustomize/api/types"

	"github.com/flux-ledger/flux-ledger/generator/manifest"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/besu"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
	"github.com/flux-ledger/flux-ledger/generator/render/policies"
)

// Names of what the entry point creates in the party's GitOps namespace.
const (
	// SourceName is the GitRepository every Kustomization of the cluster reads. Under Arc
	// it is created by the fluxConfiguration of the same name.
	SourceName = "ledger"
	// PoliciesKustomization reconciles the party's policies (policies.PartyDir) before
	// anything of the party.
	PoliciesKustomization = "ledger-policies"
	// LedgerKustomization reconciles the party's own directory for this cluster.
	LedgerKustomization = "ledger"
	// ReconcilerAccount applies the party's directory: rights in its ledger namespace only.
	ReconcilerAccount = "ledger-reconciler"
	// PoliciesAccount applies policies/: Kyverno cluster policies only.
	PoliciesAccount = "ledger-policies"
	// GuardKustomization applies GuardDir (the ClusterPolicy that keeps policies/
	// validate-only) as GuardAccount, before the policies: policies/ cannot remove it.
	GuardKustomization = "ledger-policy-guard"
	GuardAccount       = "ledger-policy-guard"
	GuardDir           = "policy-guard"
	// AgeKeyEntry is the key of the age identity in the age key Secret.
	AgeKeyEntry = "age.agekey"

	// PolicyAPIVersion and PolicyKind are Kyverno's ClusterPolicy; PolicyReadyExpr is
	// the CEL expression that holds once Kyverno reports it Ready (the condition type
	// of kyverno api/kyverno/v1/policy_status.go). Evaluating it on a policy without
	// status fails, which Flux reports as not yet ready.
	PolicyAPIVersion = "kyverno.io/v1"
	PolicyKind       = "ClusterPolicy"
	PolicyReadyExpr  = "status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')"
)

// Timing of the generated Kustomizations.
var (
	syncInterval  = metav1.Duration{Duration: 10 * time.Minute}
	retryInterval = metav1.Duration{Duration: time.Minute}
	applyTimeout  = metav1.Duration{Duration: 5 * time.Minute}
)

// Files maps paths relative to clusters/<cluster>/ to contents.
type Files map[string][]byte

// Cluster renders clusters/<cluster>/ for one cluster.
func Cluster(network *model.Network, topology *peering.Graph, cluster model.Cluster, nodes []model.Node) (Files, error) {
	r := &clusterRenderer{network: network, topology: topology, cluster: cluster, party: network.Parties[cluster.Party], files: Files{}}
	objects := map[string][]any{
		"namespace.yaml": r.namespaces(),
		"rbac.yaml":      r.rbac(),
		"sync.yaml":      r.sync(nodes),
	}
	var resources []string
	for name, objs := range objects {
		if err := r.addStream(name, objs...); err != nil {
			return nil, err
		}
		resources = append(resources, name)
	}
	if network.Compliance.Kyverno.Install {
		if err := r.kyverno(); err != nil {
			return nil, err
		}
	}
	if err := r.guard(); err != nil {
		return nil, err
	}
	switch cluster.GitOps.Mode {
	case model.ModeFlux:
		if err := r.fluxSystem(); err != nil {
			return nil, err
		}
		resources = append(resources, "flux-system")
	case model.ModeArc:
		if err := r.arc(); err != nil {
			return nil, err
		}
	}
	sort.Strings(resources)
	if err := r.addStream("kustomization.yaml", &kustomize.Kustomization{
		TypeMeta:  kustomize.TypeMeta{APIVersion: kustomize.KustomizationVersion, Kind: kustomize.KustomizationKind},
		Resources: resources,
	}); err != nil {
		return nil, err
	}
	return r.files, nil
}

type clusterRenderer struct {
	network  *model.Network
	topology *peering.Graph
	cluster  model.Cluster
	party    model.Party
	files    Files
}

// addStream writes objects as one multi-document YAML file.
func (r *clusterRenderer) addStream(name string, objs ...any) error {
	data, err := manifest.EncodeAll(objs...)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	r.files[name] = data
	return nil
}

func (r *clusterRenderer) labels() map[string]string {
	return model.Labels(r.network, r.party.Name, "")
}

func (r *clusterRenderer) meta(name, namespace string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: r.labels()}
}

// namespaces are the party's ledger namespace and, under plain Flux, the GitOps
// namespace (Arc's fluxConfiguration creates its own). The ledger namespace is created
// here, by the privileged entry point, so the party's own reconciler needs no
// cluster-scoped rights. Neither is ever pruned: deleting the ledger namespace deletes
// the ledger data, deleting the GitOps one the Secrets the party created out of band.
func (r *clusterRenderer) namespaces() []any {
	namespace := func(name string) *corev1.Namespace {
		meta := r.meta(name, "")
		meta.Annotations = map[string]string{"kustomize.toolkit.fluxcd.io/prune": "disabled"}
		return &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: meta}
	}
	ledger := namespace(r.party.Namespace)
	ledger.Labels["pod-security.kubernetes.io/enforce"] = "restricted"
	ledger.Labels["pod-security.kubernetes.io/enforce-version"] = "latest"
	objects := []any{ledger}
	if r.cluster.GitOps.Mode == model.ModeFlux {
		objects = append(objects, namespace(r.cluster.GitOps.Namespace))
	}
	return objects
}

// ExposureRules are the API resources a cluster's exposure mode creates per node.
func ExposureRules(mode string) []rbacv1.PolicyRule {
	switch mode {
	case model.ExposeAmbassador:
		return []rbacv1.PolicyRule{{APIGroups: []string{"getambassador.io"}, Resources: []string{"listeners", "tcpmappings"}}}
	case model.ExposeHAProxy:
		return []rbacv1.PolicyRule{{APIGroups: []string{"ingress.v1.haproxy.org"}, Resources: []string{"tcps"}}}
	case model.ExposeIstio:
		return []rbacv1.PolicyRule{{APIGroups: []string{"networking.istio.io"}, Resources: []string{"gateways", "virtualservices"}}}
	}
	return nil
}

var manage = []string{"get", "list", "watch", "create", "update", "patch", "delete"}

// rbac gives the party's reconciler exactly the kinds its directory holds (and read
// access to pods, for health checks), in its ledger namespace only, and the policies
// account the Kyverno cluster policies only.
func (r *clusterRenderer) rbac() []any {
	gitops := r.cluster.GitOps.Namespace
	ledger := r.party.Namespace
	rules := []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"configmaps", "secrets", "services"}},
		{APIGroups: []string{"apps"}, Resources: []string{"statefulsets"}},
		{APIGroups: []string{"networking.k8s.io"}, Resources: []string{"networkpolicies"}},
		{APIGroups: []string{"policy"}, Resources: []string{"poddisruptionbudgets"}},
	}
	if r.network.IsFabric() {
		// A Fabric party also runs its chaincode servers, its channel and chaincode Jobs
		// and its channel observers (CronJobs).
		rules = append(rules,
			rbacv1.PolicyRule{APIGroups: []string{"apps"}, Resources: []string{"deployments"}},
			rbacv1.PolicyRule{APIGroups: []string{"batch"}, Resources: []string{"cronjobs", "jobs"}})
	}
	rules = append(rules, ExposureRules(r.cluster.Exposure.Mode)...)
	rules = append(rules, monitoring.Rules(r.cluster.Monitoring)...)
	for i := range rules {
		rules[i].Verbs = manage
	}
	// Flux's health checks read a StatefulSet's pods to tell a rollout from a failure.
	rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}})
	account := func(name string) *corev1.ServiceAccount {
		return &corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}, ObjectMeta: r.meta(name, gitops)}
	}
	subject := func(name string) []rbacv1.Subject {
		return []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: name, Namespace: gitops}}
	}
	policiesRole := "flux-ledger-policies-" + r.party.Name
	objects := []any{
		account(ReconcilerAccount),
		&rbacv1.Role{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
			ObjectMeta: r.meta(ReconcilerAccount, ledger),
			Rules:      rules,
		},
		&rbacv1.RoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: r.meta(ReconcilerAccount, ledger),
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: ReconcilerAccount},
			Subjects:   subject(ReconcilerAccount),
		},
		account(PoliciesAccount),
		&rbacv1.ClusterRole{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
			ObjectMeta: r.meta(policiesRole, ""),
			Rules:      []rbacv1.PolicyRule{{APIGroups: []string{"kyverno.io"}, Resources: []string{"clusterpolicies"}, Verbs: manage}},
		},
		&rbacv1.ClusterRoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
			ObjectMeta: r.meta(policiesRole, ""),
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: policiesRole},
			Subjects:   append(subject(PoliciesAccount), subject(GuardAccount)...),
		},
		account(GuardAccount),
	}
	if r.network.Compliance.Kyverno.Install {
		objects = append(objects, r.kyvernoRBAC()...)
	}
	return objects
}

// sync is the pair of Flux Kustomizations: policies first, then the party's directory
// for this cluster, decrypted with the party's own age key and health-checked on its
// StatefulSets. Plain Flux also gets the GitRepository that Arc would create.
func (r *clusterRenderer) sync(nodes []model.Node) []any {
	gitops := r.cluster.GitOps.Namespace
	source := kustomizev1.CrossNamespaceSourceReference{Kind: sourcev1.GitRepositoryKind, Name: SourceName}
	var checks []meta.NamespacedObjectKindReference
	for _, n := range nodes {
		checks = append(checks, meta.NamespacedObjectKindReference{APIVersion: "apps/v1", Kind: "StatefulSet", Name: n.Name, Namespace: r.party.Namespace})
	}
	kustomization := func(name, path, account string) *kustomizev1.Kustomization {
		return &kustomizev1.Kustomization{
			TypeMeta:   metav1.TypeMeta{APIVersion: kustomizev1.GroupVersion.String(), Kind: kustomizev1.KustomizationKind},
			ObjectMeta: r.meta(name, gitops),
			Spec: kustomizev1.KustomizationSpec{
				Interval:           syncInterval,
				RetryInterval:      &retryInterval,
				Timeout:            &applyTimeout,
				Path:               "./" + path,
				Prune:              true,
				SourceRef:          source,
				ServiceAccountName: account,
			},
		}
	}
	// What follows a policy Kustomization waits for its policies to be served, not
	// just stored: Kyverno marks a ClusterPolicy Ready once its webhooks are
	// configured, and kstatus alone would call it current as soon as it exists.
	waitForPolicies := func(k *kustomizev1.Kustomization) {
		k.Spec.Wait = true
		k.Spec.HealthCheckExprs = []kustomizeapi.CustomHealthCheck{{
			APIVersion:             PolicyAPIVersion,
			Kind:                   PolicyKind,
			HealthCheckExpressions: kustomizeapi.HealthCheckExpressions{Current: PolicyReadyExpr},
		}}
	}
	guard := kustomization(GuardKustomization, path.Join(EntryPath(r.cluster.Name), GuardDir), GuardAccount)
	waitForPolicies(guard)
	applyPolicies := kustomization(PoliciesKustomization, policies.PartyDir(r.party.Name), PoliciesAccount)
	waitForPolicies(applyPolicies)
	applyPolicies.Spec.DependsOn = []kustomizev1.DependencyReference{{Name: GuardKustomization}}
	var objects []any
	if r.network.Compliance.Kyverno.Install {
		install := kustomization(KyvernoKustomization, path.Join(EntryPath(r.cluster.Name), KyvernoDir), KyvernoAccount)
		install.Spec.Wait = true
		install.Spec.Timeout = &metav1.Duration{Duration: 10 * time.Minute}
		guard.Spec.DependsOn = []kustomizev1.DependencyReference{{Name: KyvernoKustomization}}
		objects = append(objects, install)
	}
	objects = append(objects, guard)
	ledger := kustomization(LedgerKustomization, besu.ClusterPath(r.party.Name, r.cluster.Name), ReconcilerAccount)
	ledger.Spec.DependsOn = []kustomizev1.DependencyReference{{Name: PoliciesKustomization}}
	ledger.Spec.Decryption = &kustomizev1.Decryption{Provider: "sops", SecretRef: &meta.LocalObjectReference{Name: r.cluster.GitOps.AgeKeySecret}}
	ledger.Spec.HealthChecks = checks
	objects = append(objects, applyPolicies, ledger)
	if r.cluster.GitOps.Mode == model.ModeFlux {
		objects = append([]any{r.gitRepository(SourceName, gitops)}, objects...)
	}
	return objects
}

func (r *clusterRenderer) gitRepository(name, namespace string) *sourcev1.GitRepository {
	interval, _ := time.ParseDuration(r.network.Repository.Interval)
	repo := &sourcev1.GitRepository{
		TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.GitRepositoryKind},
		ObjectMeta: r.meta(name, namespace),
		Spec: sourcev1.GitRepositorySpec{
			URL:       r.network.Repository.URL,
			Reference: &sourcev1.GitRepositoryRef{Branch: r.network.Repository.Branch},
			Interval:  metav1.Duration{Duration: interval},
		},
	}
	if secret := r.credentialsSecret(); secret != "" {
		repo.Spec.SecretRef = &meta.LocalObjectReference{Name: secret}
	}
	// source-controller api/v1 GitRepositoryVerification: mode HEAD verifies the
	// commit the branch points at against the PGP keys (*.asc entries) of secretRef;
	// a commit it cannot verify produces no artifact, so nothing is applied.
	if r.network.Repository.Verify {
		repo.Spec.Verification = &sourcev1.GitRepositoryVerification{Mode: sourcev1.ModeGitHEAD, SecretRef: meta.LocalObjectReference{Name: SigningKeysSecret}}
	}
	return repo
}

// SigningKeysSecret holds, in a cluster's GitOps namespace, the armored OpenPGP public
// keys whose signatures the cluster accepts when repository.verify is set. Each party
// creates it out of band, like its age key: trust in a signer is the cluster's own.
const SigningKeysSecret = "ledger-signing-keys"

// guard renders clusters/<cluster>/policy-guard/: the ClusterPolicy that refuses, from
// the account that applies the party's policies, mutate and generate rules, and rules
// aimed beyond the party's namespaces (policies.Guard).
func (r *clusterRenderer) guard() error {
	if err := r.addStream(GuardDir+"/guard.yaml", policies.Guard(r.network, r.party.Name, r.cluster.GitOps.Namespace, PoliciesAccount)); err != nil {
		return err
	}
	return r.addStream(GuardDir+"/kustomization.yaml", &kustomize.Kustomization{
		TypeMeta:  kustomize.TypeMeta{APIVersion: kustomize.KustomizationVersion, Kind: kustomize.KustomizationKind},
		Resources: []string{"guard.yaml"},
	})
}

// EntryPath is a cluster's entry point, relative to the repository.
func EntryPath(cluster string) string { return path.Join("clusters", cluster) }
