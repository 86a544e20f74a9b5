package monitoring_test

import (
	"path"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
)

// testShare is the share a test cluster forwards.
func testShare() *model.Share {
	return &model.Share{
		URL:    "https://metrics.consortium.example/api/v1/write",
		Series: []string{"up", "ethereum_blockchain_height"},
		With:   []string{"fabrikam"},
		Images: model.ShareImages{Prometheus: "docker.io/prom/prometheus:v3.5.0", ConfigReloader: "ghcr.io/prometheus-operator/prometheus-config-reloader:v0.93.1"},
	}
}

// shareOn gives the cluster a share, with prometheusOperator.
func shareOn(n *model.Network, cluster string) {
	c := n.Clusters[cluster]
	c.Monitoring = model.Monitoring{Mode: model.MonitoringPrometheusOperator, Namespace: "monitoring", Share: testShare()}
	n.Clusters[cluster] = c
}

// A share is a Prometheus of the party's namespace that scrapes the party's own
// PodMonitors and remote-writes the listed series and no other: its keep regex,
// anchored as Prometheus anchors relabel regexes (prometheus v0.316.0
// model/relabel/relabel.go NewRegexp: "^(?s:" + s + ")$"), matches exactly the listed
// names. The metrics NetworkPolicy admits its pods, it runs under the party's labels
// and the restricted profile, and the reconciler may manage what it needs.
func TestShareForwardsOnlyTheListedSeries(t *testing.T) {
	besu, _ := networks(t)
	monitorAll(besu, model.MonitoringPrometheusOperator)
	shareOn(besu, "contoso-aks-weu")
	out := renderTree(t, besu)
	dir := monitoringDir("contoso", "contoso-aks-weu")
	var prom monitoringv1.Prometheus
	if err := yaml.UnmarshalStrict(out[path.Join(dir, "share-prometheus.yaml")], &prom); err != nil {
		t.Fatal(err)
	}
	party := besu.Parties["contoso"]
	if prom.Namespace != party.Namespace || prom.Spec.PodMonitorNamespaceSelector != nil || prom.Spec.RuleSelector != nil || prom.Spec.ServiceMonitorSelector != nil {
		t.Errorf("the share Prometheus looks beyond the party's PodMonitors: %+v", prom.Spec.CommonPrometheusFields)
	}
	if len(prom.Spec.RemoteWrite) != 1 || prom.Spec.RemoteWrite[0].URL != "https://metrics.consortium.example/api/v1/write" {
		t.Fatalf("remote write %+v", prom.Spec.RemoteWrite)
	}
	relabel := prom.Spec.RemoteWrite[0].WriteRelabelConfigs
	if len(relabel) != 1 || relabel[0].Action != "keep" || !slices.Equal(relabel[0].SourceLabels, []monitoringv1.LabelName{"__name__"}) {
		t.Fatalf("write relabelling %+v", relabel)
	}
	keep := regexp.MustCompile("^(?s:" + relabel[0].Regex + ")$")
	for name, kept := range map[string]bool{
		"up": true, "ethereum_blockchain_height": true,
		"up_total": false, "xup": false, "ethereum_blockchain_height_max": false, "ethereum_peer_count": false, "": false,
	} {
		if keep.MatchString(name) != kept {
			t.Errorf("series %q kept: %v, want %v", name, !kept, kept)
		}
	}
	// The party's Kyverno policies (render/policies) check every pod of its namespace:
	// its labels, the restricted profile, the registries and requests and limits.
	if prom.Spec.PodMetadata == nil || prom.Spec.PodMetadata.Labels[model.LabelParty] != "contoso" || prom.Spec.PodMetadata.Labels[model.LabelNetwork] != besu.Name {
		t.Errorf("share pods labelled %+v", prom.Spec.PodMetadata)
	}
	sc := prom.Spec.SecurityContext
	if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.SeccompProfile == nil || sc.SeccompProfile.Type != "RuntimeDefault" {
		t.Errorf("share pod security context %+v", sc)
	}
	if prom.Spec.Image == nil || *prom.Spec.Image != testShare().Images.Prometheus {
		t.Errorf("image %v", prom.Spec.Image)
	}
	// The operator configures the version it is told (share_pods_admitted_test.go runs it).
	if prom.Spec.Version != "v3.5.0" {
		t.Errorf("version %q, want the image's v3.5.0", prom.Spec.Version)
	}
	for image, want := range map[string]string{
		"docker.io/prom/prometheus:3.5.0":                                    "3.5.0",
		"docker.io/prom/prometheus:v3.5.0@sha256:" + strings.Repeat("0", 64): "v3.5.0",
		"localhost:5000/prom/prometheus:v3.13.1-distroless":                  "v3.13.1-distroless",
		"localhost:5000/prom/prometheus":                                     "",
	} {
		if got := monitoring.ShareVersion(image); got != want {
			t.Errorf("ShareVersion(%q) = %q, want %q", image, got, want)
		}
	}
	for _, c := range append(prom.Spec.Containers, prom.Spec.InitContainers...) {
		if c.Image != testShare().Images.ConfigReloader || c.Resources.Limits.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
			t.Errorf("container %s: image %s, resources %+v", c.Name, c.Image, c.Resources)
		}
	}
	if prom.Spec.Resources.Limits.Cpu().IsZero() || prom.Spec.Resources.Requests.Memory().IsZero() {
		t.Errorf("prometheus resources %+v", prom.Spec.Resources)
	}
	var np networkingv1.NetworkPolicy
	if err := yaml.UnmarshalStrict(out[path.Join(dir, "networkpolicy.yaml")], &np); err != nil {
		t.Fatal(err)
	}
	from := np.Spec.Ingress[0].From
	if len(from) != 2 || from[1].NamespaceSelector != nil || !reflect.DeepEqual(from[1].PodSelector.MatchLabels, map[string]string{"operator.prometheus.io/name": "ledger-share"}) {
		t.Errorf("metrics policy admits %+v, want the monitoring namespace and the share pods of the party's namespace", from)
	}
	rbac := string(out[path.Join("clusters", "contoso-aks-weu", "rbac.yaml")])
	for _, r := range []string{"- prometheuses", "- serviceaccounts", "- roles", "- rolebindings"} {
		if !strings.Contains(rbac, r) {
			t.Errorf("the reconciler cannot manage %s", strings.TrimPrefix(r, "- "))
		}
	}
	// Another monitored cluster of the network shares nothing, and its policy admits
	// the monitoring namespace only.
	other := monitoringDir("fabrikam", "fabrikam-gke-euw3")
	if _, ok := out[path.Join(other, "podmonitor.yaml")]; !ok {
		t.Fatalf("%s is not monitored", other)
	}
	if _, ok := out[path.Join(other, "share-prometheus.yaml")]; ok {
		t.Error("a cluster without a share forwards series")
	}
	if strings.Contains(string(out[path.Join(other, "networkpolicy.yaml")]), "ledger-share") {
		t.Error("a cluster without a share admits a share Prometheus")
	}
	for _, f := range []string{"share-serviceaccount.yaml", "share-role.yaml", "share-rolebinding.yaml"} {
		if _, ok := out[path.Join(dir, f)]; !ok {
			t.Errorf("missing %s", f)
		}
	}
}
