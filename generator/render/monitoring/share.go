package monitoring

import (
	"regexp"
	"slices"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// A cluster's share is a Prometheus of its own, in the party's namespace, that scrapes
// the party's PodMonitor and forwards the whitelisted series. The cluster's own
// Prometheus is not the party's to change (kube-prometheus-stack owns it, in the
// monitoring namespace), and a second one keeps the forwarding under the party's
// review and its policies: it runs in the party's namespace, labelled as the party's,
// under the restricted Pod Security Standard, from the images the share names.
const (
	ShareName = "ledger-share"
	// sharePartyLabel is added to every forwarded series, so the consortium's
	// endpoint tells the parties apart whatever their namespaces are called.
	sharePartyLabel = "ledger_party"
	// shareRetention: the share Prometheus only forwards; two hours is Prometheus'
	// smallest block and enough to ride out an endpoint outage.
	shareRetention = "2h"
	// Container names the Prometheus Operator gives the pod it makes (v0.93.1:
	// pkg/prometheus/server/statefulset.go "prometheus"; pkg/prometheus/common.go
	// "config-reloader", "init-config-reloader"): spec.containers and
	// spec.initContainers entries of the same name are merged into them, which is how
	// the share sets the reloader's image and resources.
	containerPrometheus   = "prometheus"
	containerReloader     = "config-reloader"
	containerInitReloader = "init-config-reloader"
	// prometheusNameLabel is set by the operator on the pods of a Prometheus, with its
	// name (pkg/prometheus/common.go PrometheusNameLabelName).
	prometheusNameLabel = "operator.prometheus.io/name"
)

// The Prometheus Operator makes more than the share's StatefulSet in the party's
// namespace, and labels those objects with its own labels only (v0.93.1
// pkg/operator/factory.go UpdateObject: managed-by and app.kubernetes.io/managed-by
// "prometheus-operator", plus the operator's --labels): it copies the Prometheus'
// labels onto the StatefulSet alone (pkg/prometheus/server/statefulset.go
// makeStatefulSet) and spec.podMetadata onto the pods. The others are, by name:
// the configuration Secret "prometheus-<name>" (pkg/prometheus/common.go
// ConfigSecretName, PrefixedName), "prometheus-<name>-tls-assets-<shard>"
// (TLSAssetsSecretName), "prometheus-<name>-web-config" (WebConfigSecretName),
// "prometheus-<name>-thanos-prometheus-http-client-file"
// (pkg/prometheus/server/thanos_sidecar_config.go), the rule ConfigMaps
// "prometheus-<name>-rulefiles-<n>" (pkg/operator/rules.go), and the
// governing Service "prometheus-operated" (pkg/prometheus/server/statefulset.go
// governingServiceName). The party's label policies let exactly these through.
var (
	// ShareOperatorKinds are the kinds of those objects.
	ShareOperatorKinds = []string{"ConfigMap", "Secret", "Service"}
	// ShareOperatorNames are their names, as Kyverno name patterns.
	ShareOperatorNames = []string{"prometheus-" + ShareName, "prometheus-" + ShareName + "-*", "prometheus-operated"}
)

// OperatorManagedBy is the app.kubernetes.io/managed-by value the operator sets on
// every object it makes (v0.93.1 pkg/operator/kubernetes.go ManagedByLabelValue).
const OperatorManagedBy = "prometheus-operator"

// ShareRules are what the party's reconciler needs to manage a share: the Prometheus,
// its ServiceAccount and the Role letting it discover the party's pods.
var ShareRules = []rbacv1.PolicyRule{
	{APIGroups: []string{"monitoring.coreos.com"}, Resources: []string{"prometheuses"}},
	{APIGroups: []string{""}, Resources: []string{"serviceaccounts"}},
	{APIGroups: []string{"rbac.authorization.k8s.io"}, Resources: []string{"roles", "rolebindings"}},
}

// ShareRegex is the relabelling regex keeping exactly the shared metric names.
// Prometheus anchors relabel regexes at both ends (prometheus v0.316.0
// model/relabel/relabel.go: NewRegexp compiles "^(?s:" + s + ")$"), so the
// alternation matches whole names only.
func ShareRegex(series []string) string {
	names := slices.Sorted(slices.Values(series))
	for i, n := range names {
		names[i] = regexp.QuoteMeta(n)
	}
	return strings.Join(names, "|")
}

// shareObjects are the cluster's share by file name: the Prometheus, its
// ServiceAccount, and the Role and RoleBinding letting it discover the party's pods.
func shareObjects(network *model.Network, party model.Party, share *model.Share) map[string]any {
	m := meta(network, party, ShareName)
	return map[string]any{
		"share-serviceaccount.yaml": &corev1.ServiceAccount{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"}, ObjectMeta: m},
		"share-role.yaml": &rbacv1.Role{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
			ObjectMeta: m,
			Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}}},
		},
		"share-rolebinding.yaml": &rbacv1.RoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: m,
			RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: ShareName},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: ShareName, Namespace: party.Namespace}},
		},
		"share-prometheus.yaml": SharePrometheus(network, party, share),
	}
}

// shareVersionTag is the version tag of a share's Prometheus image, which the schema
// requires (cue/schema/monitoring.cue #Share), before an optional digest.
var shareVersionTag = regexp.MustCompile(`:(v?[0-9]+\.[0-9]+\.[0-9]+[A-Za-z0-9._-]*)(@sha256:[a-f0-9]{64})?$`)

// ShareVersion is the Prometheus version a share's image runs, for spec.version: the
// operator writes the command line and configuration file for that version, and
// without it for the latest it knows (v0.93.1 prometheus_types.go: "Specifying
// spec.version is still necessary" beside spec.image; pkg/operator/defaults.go
// DefaultPrometheusVersion, v3.13.1). From v3.11.0 on it moves retention from the
// command line into storage.tsdb of the configuration file
// (pkg/prometheus/server/statefulset.go buildServerArgs, pkg/prometheus/promcfg.go),
// which an older Prometheus refuses: v3.5.0's TSDBConfig has no retention and its
// configuration is read with yaml.UnmarshalStrict (prometheus v0.305.0
// config/config.go).
func ShareVersion(image string) string {
	if m := shareVersionTag.FindStringSubmatch(image); m != nil {
		return m[1]
	}
	return ""
}

// SharePrometheus is the Prometheus forwarding the share: it selects the party's
// PodMonitors of its own namespace only (a null podMonitorNamespaceSelector "matches
// the current namespace only", v0.93.1 prometheus_types.go), evaluates no rules, and
// remote-writes only the series whose name is listed.
func SharePrometheus(network *model.Network, party model.Party, share *model.Share) *monitoringv1.Prometheus {
	image, reloader := share.Images.Prometheus, share.Images.ConfigReloader
	one := int32(1)
	yes, uid := true, int64(65534)
	res := func(cpu, memory string) corev1.ResourceRequirements {
		q := corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(memory)}
		return corev1.ResourceRequirements{Requests: q, Limits: q}
	}
	return &monitoringv1.Prometheus{
		TypeMeta:   metav1.TypeMeta{APIVersion: apiVersion, Kind: monitoringv1.PrometheusesKind},
		ObjectMeta: meta(network, party, ShareName),
		Spec: monitoringv1.PrometheusSpec{
			CommonPrometheusFields: monitoringv1.CommonPrometheusFields{
				// The party's policies require its labels on every pod of its namespace.
				PodMetadata:        &monitoringv1.EmbeddedObjectMetadata{Labels: model.Labels(network, party.Name, "")},
				Image:              &image,
				Version:            ShareVersion(image),
				Replicas:           &one,
				ServiceAccountName: ShareName,
				PodMonitorSelector: &metav1.LabelSelector{MatchLabels: model.Labels(network, party.Name, "")},
				ScrapeInterval:     monitoringv1.Duration(ScrapeInterval.String()),
				ExternalLabels:     map[string]string{sharePartyLabel: party.Name},
				RemoteWrite: []monitoringv1.RemoteWriteSpec{{
					URL: monitoringv1.URL(share.URL),
					WriteRelabelConfigs: []monitoringv1.RelabelConfig{{
						SourceLabels: []monitoringv1.LabelName{"__name__"},
						Regex:        ShareRegex(share.Series),
						Action:       "keep",
					}},
				}},
				Resources: res("200m", "512Mi"),
				// Restricted Pod Security Standard: the operator already drops every
				// capability, forbids privilege escalation and mounts the root file
				// system read-only in both containers (statefulset.go,
				// pkg/operator/config_reloader.go); the pod runs as nobody with the
				// runtime's seccomp profile.
				SecurityContext: &corev1.PodSecurityContext{
					RunAsNonRoot: &yes, RunAsUser: &uid, RunAsGroup: &uid, FSGroup: &uid,
					SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
				},
				Containers:     []corev1.Container{{Name: containerReloader, Image: reloader, Resources: res("10m", "50Mi")}},
				InitContainers: []corev1.Container{{Name: containerInitReloader, Image: reloader, Resources: res("10m", "50Mi")}},
			},
			Retention: monitoringv1.Duration(shareRetention),
		},
	}
}

// sharePeer admits the share Prometheus of the party's namespace to the metrics ports.
func sharePeer() networkingv1.NetworkPolicyPeer {
	return networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{prometheusNameLabel: ShareName}}}
}
