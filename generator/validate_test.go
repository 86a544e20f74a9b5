package generator_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
	"github.com/flux-ledger/flux-ledger/generator/render/policies"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// TestGeneratedObjectsPassRealAPIServerValidation builds what each cluster applies
// (its entry point, its party's directory for it, the bootstrap sync) for the
// reference network and two variants that cover plain Flux, every exposure mode, IBFT
// 2.0 and a party on two clusters, and server-side dry-run applies every object to
// real kube-apiservers serving the Flux CRDs of Arc's Flux 2.7 and of Flux 2.9.
func TestGeneratedObjectsPassRealAPIServerValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd and kube-apiservers")
	}
	repos := map[string]string{
		"reference":            testenv.RepoRoot(t),
		"seven-parties":        newVariantRepo(t, "seven-parties"),
		"one-party-two-clouds": newVariantRepo(t, "one-party-two-clouds"),
	}
	etcd := testenv.StartEtcd(t)
	for _, release := range []string{"2.7", "2.9"} {
		t.Run("flux-"+release, func(t *testing.T) {
			server := testenv.StartAPIServer(t, etcd, "flux-"+strings.ReplaceAll(release, ".", "-"))
			kube := server.Connect(t)
			crds := append(testenv.FluxCRDs(t, release),
				testenv.OpenCRD("getambassador.io", "v3alpha1", "Listener"),
				testenv.OpenCRD("getambassador.io", "v3alpha1", "TCPMapping"),
				testenv.OpenCRD("ingress.v1.haproxy.org", "v1", "TCP"),
				testenv.OpenCRD("networking.istio.io", "v1", "Gateway"),
				testenv.OpenCRD("networking.istio.io", "v1", "VirtualService"),
				testenv.OpenClusterCRD("kyverno.io", "v1", "ClusterPolicy"),
			)
			kube.InstallCRDs(t, crds)
			for name, repo := range repos {
				t.Run(name, func(t *testing.T) {
					objects := clusterObjects(t, repo)
					validate(t, kube, objects)
				})
			}
		})
	}
}

// clusterObjects builds everything the repository's clusters apply, labelled by source.
func clusterObjects(t *testing.T, repo string) map[string][]*unstructured.Unstructured {
	t.Helper()
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	network := result.Network
	out := map[string][]*unstructured.Unstructured{}
	for _, party := range network.PartyNames() {
		out[policies.PartyDir(party)] = buildEntry(t, filepath.Join(repo, policies.PartyDir(party)))
	}
	for _, name := range network.ClusterNames() {
		cluster := network.Clusters[name]
		entry := filepath.Join(repo, flux.EntryPath(name))
		if cluster.GitOps.Mode == "flux" {
			// flux bootstrap commits gotk-components.yaml; stand in for it with the two
			// controller Deployments the lockdown patches, to check the patches apply.
			entry = copyEntryWithComponents(t, repo, name)
		}
		objs := buildEntry(t, entry)
		if cluster.GitOps.Mode == "flux" {
			checkLockdown(t, name, objs)
		}
		out["clusters/"+name] = objs
		if _, err := os.Stat(filepath.Join(repo, flux.EntryPath(name), flux.KyvernoDir)); err == nil {
			out["clusters/"+name+"/kyverno"] = buildEntry(t, filepath.Join(repo, flux.EntryPath(name), flux.KyvernoDir))
		}
		out["parties/"+cluster.Party+"/clusters/"+name] = buildEntry(t, filepath.Join(repo, "parties", cluster.Party, "clusters", name))
	}
	return out
}

func copyEntryWithComponents(t *testing.T, repo, cluster string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "clusters", cluster)
	testenv.CopyDir(t, filepath.Join(repo, flux.EntryPath(cluster)), dir)
	var components strings.Builder
	for _, name := range []string{"kustomize-controller", "helm-controller"} {
		fmt.Fprintf(&components, `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  namespace: flux-system
spec:
  selector:
    matchLabels: {app: %[1]s}
  template:
    metadata:
      labels: {app: %[1]s}
    spec:
      containers:
      - name: manager
        image: ghcr.io/fluxcd/%[1]s:v1.0.0
        args: [--watch-all-namespaces=true]
`, name)
	}
	if err := os.WriteFile(filepath.Join(dir, "flux-system", flux.BootstrapComponents), []byte(components.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// checkLockdown requires the multi-tenancy flags on the controllers bootstrap installs.
func checkLockdown(t *testing.T, cluster string, objs []*unstructured.Unstructured) {
	t.Helper()
	want := map[string][]string{
		"kustomize-controller": {"--no-cross-namespace-refs=true", "--no-remote-bases=true", "--default-service-account=default"},
		"helm-controller":      {"--no-cross-namespace-refs=true", "--default-service-account=default"},
	}
	for _, obj := range objs {
		flags, ok := want[obj.GetName()]
		if obj.GetKind() != "Deployment" || !ok {
			continue
		}
		containers, _, _ := unstructured.NestedSlice(obj.Object, "spec", "template", "spec", "containers")
		args := fmt.Sprint(containers[0].(map[string]any)["args"])
		for _, f := range flags {
			if !strings.Contains(args, f) {
				t.Errorf("cluster %s: %s lacks %s (args %s)", cluster, obj.GetName(), f, args)
			}
		}
		delete(want, obj.GetName())
	}
	if len(want) > 0 {
		t.Errorf("cluster %s: lockdown patches did not reach %v", cluster, want)
	}
}

// validate creates the namespaces for real (a dry run of a namespace does not make it
// exist for what follows), then dry-runs every other object.
func validate(t *testing.T, kube *testenv.Kube, objects map[string][]*unstructured.Unstructured) {
	t.Helper()
	ctx := context.Background()
	namespaces := map[string]bool{}
	for _, objs := range objects {
		for _, obj := range objs {
			if ns := obj.GetNamespace(); ns != "" {
				namespaces[ns] = true
			}
		}
	}
	for ns := range namespaces {
		obj := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
		if err := kube.Apply(ctx, obj, false); err != nil {
			t.Fatalf("create namespace %s: %v", ns, err)
		}
	}
	count := 0
	for source, objs := range objects {
		for _, obj := range objs {
			stripSOPS(obj)
			if err := kube.Apply(ctx, obj, true); err != nil {
				t.Errorf("%s: %s %s/%s: %v", source, obj.GetKind(), obj.GetNamespace(), obj.GetName(), err)
			}
			count++
		}
	}
	t.Logf("%d objects passed server-side dry-run", count)
}

// stripSOPS stands in for kustomize-controller's decryption: sealed values are not
// base64 and the sops metadata is no Secret field.
func stripSOPS(obj *unstructured.Unstructured) {
	if _, sealed := obj.Object["sops"]; !sealed {
		return
	}
	delete(obj.Object, "sops")
	data, _, _ := unstructured.NestedMap(obj.Object, "data")
	for k := range data {
		data[k] = base64.StdEncoding.EncodeToString([]byte("sealed"))
	}
	unstructured.SetNestedMap(obj.Object, data, "data")
}
