package monitoring_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// operatorManaged selects what the Prometheus Operator creates: it labels every object
// it makes app.kubernetes.io/managed-by=prometheus-operator (v0.93.1
// pkg/operator/factory.go UpdateObject, pkg/operator/kubernetes.go ManagedByLabelKey
// and ManagedByLabelValue).
const operatorManaged = "app.kubernetes.io/managed-by=prometheus-operator"

// operatorReloaderImage is the config reloader image a release build of the operator
// defaults to (v0.93.1 pkg/operator/defaults.go DefaultPrometheusConfigReloaderImage:
// quay.io/prometheus-operator/prometheus-config-reloader:v<version>). The test passes
// it explicitly (a build from the module zip has no version stamped in) so the
// operator's own reloader comes from a registry the consortium does not allow, and
// only the share's merge of containers by name brings it within the policies.
const operatorReloaderImage = "quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1"

// The pods of a share are built by the Prometheus Operator, not by flux-ledger, and
// the party's Kyverno policies admit them or its share never starts. The real
// operator (v0.93.1, the release of the Go API the Prometheus is rendered with) runs
// against a real kube-apiserver, limited to the party's namespace, and builds the
// StatefulSet from the rendered ledger-share Prometheus; the real Kyverno CLI then
// applies the party's own policies (policies/parties/<party>/) to that StatefulSet as
// the API server stores it — its pod template is what Kyverno's autogen rules check
// on a pod controller, and no kubelet runs here — and it passes; the same StatefulSet
// without its pod security context is refused, so the check can fail. Every other
// object the operator makes there (Secrets, a rule ConfigMap, the governing Service)
// passes too, while its configuration Secret without the operator's label, or under
// another name, is refused; and the configuration it writes is for the Prometheus
// version the share's image runs.
func TestSharePodsPassPartyPolicies(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd, a kube-apiserver and the Prometheus Operator")
	}
	kyverno := testenv.Tool(t, "kyverno")
	testenv.Tool(t, "prometheus-operator")
	crds := testenv.OperatorCRDs(t)

	besu, _ := networks(t)
	monitorAll(besu, model.MonitoringPrometheusOperator)
	const partyName, clusterName = "contoso", "contoso-aks-weu"
	shareOn(besu, clusterName)
	out := renderTree(t, besu)
	party := besu.Parties[partyName]
	dir := monitoringDir(partyName, clusterName)
	var objects []*unstructured.Unstructured
	for _, f := range []string{"podmonitor.yaml", "share-serviceaccount.yaml", "share-role.yaml", "share-rolebinding.yaml", "share-prometheus.yaml"} {
		data, ok := out[path.Join(dir, f)]
		if !ok {
			t.Fatalf("%s: no %s", dir, f)
		}
		objects = append(objects, testenv.DecodeObjects(t, data)...)
	}

	etcd := testenv.StartEtcd(t)
	server := testenv.StartAPIServer(t, etcd, "share")
	kube := server.Connect(t)
	kube.InstallCRDs(t, crds)
	ctx := context.Background()
	ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": party.Namespace}}}
	if err := kube.Apply(ctx, ns, false); err != nil {
		t.Fatal(err)
	}
	for _, obj := range objects {
		if err := kube.Apply(ctx, obj, false); err != nil {
			t.Fatalf("apply %s %s: %v", obj.GetKind(), obj.GetName(), err)
		}
	}
	started := time.Now()
	startOperator(t, server, party.Namespace)

	// The operator makes one StatefulSet per shard; the share has one.
	statefulSets := kube.Dynamic.Resource(schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}).Namespace(party.Namespace)
	var built *unstructured.Unstructured
	testenv.Eventually(t, "the operator's StatefulSet for "+monitoring.ShareName, 90*time.Second, func() error {
		list, err := statefulSets.List(ctx, metav1.ListOptions{LabelSelector: "operator.prometheus.io/name=" + monitoring.ShareName})
		if err != nil {
			return err
		}
		if len(list.Items) != 1 {
			return fmt.Errorf("%d StatefulSets", len(list.Items))
		}
		built = &list.Items[0]
		return nil
	})
	var sts appsv1.StatefulSet
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(built.Object, &sts); err != nil {
		t.Fatal(err)
	}
	pod := sts.Spec.Template.Spec
	var names []string
	for _, c := range append(slices.Clone(pod.InitContainers), pod.Containers...) {
		names = append(names, c.Name+"="+c.Image)
	}
	t.Logf("operator built %s in %s: containers %s", sts.Name, time.Since(started).Round(time.Millisecond), strings.Join(names, ", "))

	policies := partyPolicies(t, out, partyName)
	admitted := asAdmitted(built)
	summary, output := kyvernoApply(t, kyverno, policies, admitted)
	t.Logf("kyverno apply on %s: %s", sts.Name, summary)
	if summary.fail != 0 || summary.errors != 0 || summary.pass == 0 {
		t.Errorf("the party's policies refuse the share's StatefulSet: %s\n%s", summary, output)
	}

	// The pod the StatefulSet controller creates from it (Kubernetes v1.36.3
	// pkg/controller/statefulset/stateful_set_utils.go newStatefulSetPod and
	// updateIdentity, pkg/controller/controller_utils.go GetPodFromTemplate): the
	// template's labels, annotations and spec, its name and ordinal labels, in the
	// StatefulSet's namespace. The Pod rules read it directly, the label rules too.
	first := sts.Name + "-0"
	podObj := &corev1.Pod{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{
			Name: first, Namespace: sts.Namespace,
			Labels:      maps.Clone(sts.Spec.Template.Labels),
			Annotations: sts.Spec.Template.Annotations,
		},
		Spec: *sts.Spec.Template.Spec.DeepCopy(),
	}
	podObj.Labels[appsv1.StatefulSetPodNameLabel] = first
	podObj.Labels[appsv1.PodIndexLabel] = "0"
	podObj.Spec.Hostname, podObj.Spec.Subdomain = first, sts.Spec.ServiceName
	podMap, err := runtime.DefaultUnstructuredConverter.ToUnstructured(podObj)
	if err != nil {
		t.Fatal(err)
	}
	summary, output = kyvernoApply(t, kyverno, policies, &unstructured.Unstructured{Object: podMap})
	t.Logf("kyverno apply on pod %s: %s", first, summary)
	if summary.fail != 0 || summary.errors != 0 || summary.pass == 0 {
		t.Errorf("the party's policies refuse the share's pod: %s\n%s", summary, output)
	}

	// What else the operator makes in the namespace carries only its own labels
	// (ShareOperatorNames says which): the party's label policies let exactly these
	// through, and the same Secret without the operator's label, or another Secret with
	// it, is refused.
	kinds := map[string]string{"secrets": "Secret", "services": "Service", "configmaps": "ConfigMap"}
	var config *unstructured.Unstructured
	for _, res := range slices.Sorted(maps.Keys(kinds)) {
		list, err := kube.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: res}).Namespace(party.Namespace).List(ctx, metav1.ListOptions{LabelSelector: operatorManaged})
		if err != nil {
			t.Fatal(err)
		}
		for i := range list.Items {
			obj := asAdmitted(&list.Items[i])
			obj.SetAPIVersion("v1") // a list's items carry no type
			obj.SetKind(kinds[res])
			summary, output := kyvernoApply(t, kyverno, policies, obj)
			t.Logf("kyverno apply on %s %s: %s", obj.GetKind(), obj.GetName(), summary)
			if summary.fail != 0 || summary.errors != 0 {
				t.Errorf("the party's policies refuse the operator's %s %s:\n%s", obj.GetKind(), obj.GetName(), output)
			}
			if obj.GetKind() == "Secret" && obj.GetName() == "prometheus-"+monitoring.ShareName {
				config = obj
			}
		}
	}
	if config == nil {
		t.Fatalf("the operator made no configuration Secret prometheus-%s", monitoring.ShareName)
	}
	checkConfiguredVersion(t, config, sts)

	unlabelled := config.DeepCopy()
	unlabelled.SetLabels(nil)
	renamed := config.DeepCopy()
	renamed.SetName("not-the-operators")
	for what, obj := range map[string]*unstructured.Unstructured{"without the operator's label": unlabelled, "under another name": renamed} {
		summary, output := kyvernoApply(t, kyverno, policies, obj)
		t.Logf("kyverno apply on the configuration Secret %s: %s", what, summary)
		if summary.fail == 0 {
			t.Errorf("the operator's configuration Secret %s passes the party's policies: %s\n%s", what, summary, output)
		}
	}

	weakened := admitted.DeepCopy()
	unstructured.RemoveNestedField(weakened.Object, "spec", "template", "spec", "securityContext")
	summary, output = kyvernoApply(t, kyverno, policies, weakened)
	t.Logf("kyverno apply on %s without its pod security context: %s", sts.Name, summary)
	if summary.fail == 0 || !strings.Contains(output, "ledger-pod-security") {
		t.Errorf("the share's StatefulSet without its pod security context passes the party's policies: %s\n%s", summary, output)
	}
}

// startOperator runs the Prometheus Operator against the API server until the test
// ends: it reaches the server through a kubeconfig ($KUBECONFIG, v0.93.1
// pkg/k8s/k8s.go NewClusterConfig), serves its metrics on loopback only
// (--web.listen-address, pkg/server/server.go), and watches the party's namespace only
// (--namespaces, cmd/operator/main.go). Its kubelet endpoints controller stays off
// (it runs only with --kubelet-service), and the controllers whose CRDs are not
// installed (Alertmanager, ThanosRuler, PrometheusAgent, ScrapeConfig) are skipped by
// main.go's checkPrerequisites.
func startOperator(t *testing.T, server *testenv.APIServer, namespace string) {
	t.Helper()
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	config := clientcmdapi.NewConfig()
	config.Clusters["share"] = &clientcmdapi.Cluster{Server: server.URL, InsecureSkipTLSVerify: true} // self-signed, loopback only
	config.AuthInfos["admin"] = &clientcmdapi.AuthInfo{Token: server.Config.BearerToken}
	config.Contexts["share"] = &clientcmdapi.Context{Cluster: "share", AuthInfo: "admin"}
	config.CurrentContext = "share"
	if err := clientcmd.WriteToFile(*config, kubeconfig); err != nil {
		t.Fatal(err)
	}
	testenv.Start(t, dir, "prometheus-operator", []string{
		"--web.listen-address", fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t)),
		"--namespaces", namespace,
		"--prometheus-config-reloader", operatorReloaderImage,
		"--log-level", "debug",
	}, "KUBECONFIG="+kubeconfig)
}

// asAdmitted is the object as a create request brings it to validating admission:
// the API server's defaults applied, none of what it adds once stored (uid, resource
// version, managed fields, status).
func asAdmitted(obj *unstructured.Unstructured) *unstructured.Unstructured {
	out := obj.DeepCopy()
	for _, f := range []string{"uid", "resourceVersion", "generation", "creationTimestamp", "managedFields"} {
		unstructured.RemoveNestedField(out.Object, "metadata", f)
	}
	unstructured.RemoveNestedField(out.Object, "status")
	return out
}

// partyPolicies writes the party's rendered Kyverno policies to files and returns them.
func partyPolicies(t *testing.T, out tree.Tree, party string) []string {
	t.Helper()
	dir := t.TempDir()
	policyDir := path.Join("policies", "parties", party)
	var files []string
	for p, policy := range out {
		if path.Dir(p) != policyDir || path.Base(p) == "kustomization.yaml" {
			continue
		}
		file := filepath.Join(dir, path.Base(p))
		if err := os.WriteFile(file, policy, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	if len(files) == 0 {
		t.Fatalf("no policies under %s", policyDir)
	}
	slices.Sort(files)
	return files
}

// kyvernoResult is the summary line of kyverno apply.
type kyvernoResult struct{ pass, fail, warn, errors, skip int }

func (r kyvernoResult) String() string {
	return fmt.Sprintf("pass: %d, fail: %d, warn: %d, error: %d, skip: %d", r.pass, r.fail, r.warn, r.errors, r.skip)
}

// kyvernoApply runs the real kyverno apply with the policies on one object.
func kyvernoApply(t *testing.T, kyverno string, policies []string, obj *unstructured.Unstructured) (kyvernoResult, string) {
	t.Helper()
	data, err := yaml.Marshal(obj.Object)
	if err != nil {
		t.Fatal(err)
	}
	return kyvernoApplyYAML(t, kyverno, policies, data)
}

// kyvernoApplyYAML runs the real kyverno apply with the policies on the objects of a
// YAML stream.
func kyvernoApplyYAML(t *testing.T, kyverno string, policies []string, data []byte) (kyvernoResult, string) {
	t.Helper()
	resource := filepath.Join(t.TempDir(), "resource.yaml")
	if err := os.WriteFile(resource, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(kyverno, append(append([]string{"apply"}, policies...), "--resource", resource)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "KYVERNO_EXPERIMENTAL=false")
	got, runErr := cmd.CombinedOutput()
	m := kyvernoSummary.FindStringSubmatch(string(got))
	if m == nil {
		t.Fatalf("kyverno apply: %v\n%s", runErr, got)
	}
	var r kyvernoResult
	if _, err := fmt.Sscan(strings.Join(m[1:], " "), &r.pass, &r.fail, &r.warn, &r.errors, &r.skip); err != nil {
		t.Fatal(err)
	}
	return r, string(got)
}

// checkConfiguredVersion checks the operator wrote the command line and configuration
// for the Prometheus the share's image runs (v3.5.0 in the test share), which the
// share tells it in spec.version (see monitoring.ShareVersion): retention on the
// command line (v0.93.1 pkg/prometheus/server/statefulset.go buildServerArgs, before
// v3.11.0), and in storage.tsdb only what v3.5.0 reads, out_of_order_time_window
// (prometheus v0.305.0, the Go module of v3.5.0, config/config.go TSDBConfig; the file
// is read with yaml.UnmarshalStrict, which refuses any other key). The configuration
// is the operator's Secret, gzipped (pkg/prometheus/common.go ConfigFilename).
func checkConfiguredVersion(t *testing.T, config *unstructured.Unstructured, sts appsv1.StatefulSet) {
	t.Helper()
	encoded, _, _ := unstructured.NestedString(config.Object, "data", "prometheus.yaml.gz")
	compressed, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		t.Fatalf("the operator's configuration: %v", err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Storage struct {
			TSDB map[string]any `json:"tsdb"`
		} `json:"storage"`
	}
	if err := yaml.Unmarshal(plain, &cfg); err != nil {
		t.Fatalf("the operator's configuration: %v\n%s", err, plain)
	}
	for key := range cfg.Storage.TSDB {
		if key != "out_of_order_time_window" {
			t.Errorf("the operator configured storage.tsdb.%s, which Prometheus v3.5.0 refuses: it was not told the image's version", key)
		}
	}
	var args []string
	for _, c := range sts.Spec.Template.Spec.Containers {
		if c.Name == "prometheus" {
			args = c.Args
		}
	}
	if !slices.Contains(args, "--storage.tsdb.retention.time=2h") {
		t.Errorf("prometheus runs with %v, want the share's retention on the command line, as v3.5.0 takes it", args)
	}
}
