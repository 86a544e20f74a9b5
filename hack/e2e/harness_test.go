//go:build e2e

// Package e2e runs the generated repository through a real Flux, the way each party's
// cluster would: one kube-apiserver per party (one shared etcd, distinct prefixes), the
// Flux CRDs, and a real kustomize-controller per cluster started with the multi-tenancy
// lockdown flags. The harness plays two parts that cannot run here: source-controller
// (it packs a commit into a tarball, serves it on loopback and sets the GitRepository's
// artifact) and, since there is no kubelet, the StatefulSet status a running node would
// report. Everything listens on 127.0.0.1 and is stopped when the test ends.
package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// Flux objects the harness creates as Arc's fluxConfiguration would.
const (
	gitopsNamespace = "flux-ledger"
	appliersAccount = "flux-applier"
	entryName       = "ledger-cluster"
)

var (
	gitRepositories = schema.GroupVersionResource{Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "gitrepositories"}
	kustomizations  = schema.GroupVersionResource{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Resource: "kustomizations"}
	statefulSets    = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}
)

// networkRepo is the Git repository under test.
type networkRepo struct {
	dir  string
	git  *git.Repository
	keys map[string]*age.X25519Identity // party → age identity
}

// newNetworkRepoFrom builds the repository of the network in file (under testdata/),
// each party with a fresh age key and its identities, generated but not committed.
func newNetworkRepoFrom(t *testing.T, file string, parties ...string) *networkRepo {
	t.Helper()
	r := &networkRepo{keys: map[string]*age.X25519Identity{}}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	network := string(data)
	for _, p := range parties {
		id, _ := testenv.AgeKey(t)
		r.keys[p] = id
		network = strings.Replace(network, "RECIPIENT_"+strings.ToUpper(p), id.Recipient().String(), 1)
	}
	r.dir = testenv.Repo(t, network)
	for _, p := range parties {
		if _, err := keys.Init(r.dir, keys.InitOptions{Party: p}); err != nil {
			t.Fatal(err)
		}
	}
	r.generate(t)
	if r.git, err = git.PlainInit(r.dir, false); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *networkRepo) generate(t *testing.T) {
	t.Helper()
	if _, err := generator.Generate(generator.Options{Repo: r.dir}); err != nil {
		t.Fatal(err)
	}
}

// commit records the work tree and returns the commit hash.
func (r *networkRepo) commit(t *testing.T, message string) string {
	t.Helper()
	wt, err := r.git.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	hash, err := wt.Commit(message, &git.CommitOptions{
		Author:            &object.Signature{Name: "e2e", Email: "e2e@example.com", When: time.Now()},
		AllowEmptyCommits: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	return hash.String()
}

// tarball packs the files of a commit, as source-controller's artifact does.
func (r *networkRepo) tarball(t *testing.T, sha string) []byte {
	t.Helper()
	commit, err := r.git.CommitObject(plumbingHash(sha))
	if err != nil {
		t.Fatal(err)
	}
	files, err := commit.Files()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	err = files.ForEach(func(f *object.File) error {
		content, err := f.Contents()
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: f.Name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err = io.WriteString(tw, content)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// artifactServer serves tarballs on loopback.
type artifactServer struct {
	url   string
	mu    sync.Mutex
	files map[string][]byte
}

func startArtifactServer(t *testing.T) *artifactServer {
	t.Helper()
	s := &artifactServer{files: map[string][]byte{}}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		s.mu.Lock()
		data, ok := s.files[req.URL.Path]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Write(data)
	})}
	go server.Serve(listener)
	t.Cleanup(func() { server.Close() })
	s.url = "http://" + listener.Addr().String()
	return s
}

func (s *artifactServer) publish(path string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = data
	return s.url + path
}

// cluster is one party's cluster: API server, kustomize-controller, helpers.
type cluster struct {
	party, name string
	server      *testenv.APIServer
	kube        *testenv.Kube
	started     time.Time
	readyAfter  time.Duration
	kyverno     kyverno
}

func startCluster(t *testing.T, etcd *testenv.Etcd, party, name string, ageKey *age.X25519Identity) *cluster {
	t.Helper()
	c := &cluster{party: party, name: name}
	c.server = testenv.StartAPIServer(t, etcd, "e2e-"+name)
	c.kube = c.server.Connect(t)
	// The Prometheus Operator's CRDs and Azure Monitor's PodMonitor CRD are served by
	// every cluster, whatever its monitoring mode, as a cluster running
	// kube-prometheus-stack or the addon would before the ledger.
	crds := append(testenv.FluxCRDs(t, "2.9"), testenv.MonitoringCRDs(t)...)
	c.kube.InstallCRDs(t, append(crds,
		testenv.OpenCRD("ingress.v1.haproxy.org", "v1", "TCP"),
		testenv.OpenCRD("networking.istio.io", "v1", "Gateway"),
		testenv.OpenCRD("networking.istio.io", "v1", "VirtualService"),
		testenv.OpenClusterCRD("kyverno.io", "v1", "ClusterPolicy"),
		testenv.OpenCRD("wgpolicyk8s.io", "v1alpha2", "PolicyReport"),
	))
	// What the party does out of band, and what Arc's fluxConfiguration creates.
	c.apply(t, obj("v1", "Namespace", "", gitopsNamespace, nil))
	c.apply(t, obj("v1", "ServiceAccount", gitopsNamespace, appliersAccount, nil))
	c.apply(t, obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "", appliersAccount, map[string]any{
		"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
		"subjects": []any{map[string]any{"kind": "ServiceAccount", "name": appliersAccount, "namespace": gitopsNamespace}},
	}))
	secret := obj("v1", "Secret", gitopsNamespace, "sops-age", nil)
	secret.Object["stringData"] = map[string]any{flux.AgeKeyEntry: ageKey.String()}
	c.apply(t, secret)
	repo := obj("source.toolkit.fluxcd.io/v1", "GitRepository", gitopsNamespace, flux.SourceName, map[string]any{
		"url": "https://git.example.com/e2enet.git", "ref": map[string]any{"branch": "main"}, "interval": "10m",
	})
	c.apply(t, repo)
	c.apply(t, obj("kustomize.toolkit.fluxcd.io/v1", "Kustomization", gitopsNamespace, entryName, map[string]any{
		"interval": "10m", "retryInterval": "5s", "timeout": "2m", "path": "./" + flux.EntryPath(name), "prune": true,
		"sourceRef":          map[string]any{"kind": "GitRepository", "name": flux.SourceName},
		"serviceAccountName": appliersAccount,
	}))
	c.startController(t)
	c.fakeNodes(t)
	c.runKyverno(t)
	return c
}

func obj(apiVersion, kind, namespace, name string, spec map[string]any) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": apiVersion, "kind": kind}}
	u.SetName(name)
	if namespace != "" {
		u.SetNamespace(namespace)
	}
	for k, v := range spec {
		if k == "roleRef" || k == "subjects" {
			u.Object[k] = v
			continue
		}
		if u.Object["spec"] == nil {
			u.Object["spec"] = map[string]any{}
		}
		u.Object["spec"].(map[string]any)[k] = v
	}
	return u
}

func (c *cluster) apply(t *testing.T, u *unstructured.Unstructured) {
	t.Helper()
	if err := c.kube.Apply(context.Background(), u, false); err != nil {
		t.Fatalf("%s: apply %s %s: %v", c.name, u.GetKind(), u.GetName(), err)
	}
}

// startController runs kustomize-controller against the cluster with the lockdown
// flags the generated flux-system patch sets.
func (c *cluster) startController(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	config := clientcmdapi.NewConfig()
	config.Clusters["e2e"] = &clientcmdapi.Cluster{Server: c.server.URL, InsecureSkipTLSVerify: true}
	config.AuthInfos["admin"] = &clientcmdapi.AuthInfo{Token: c.server.Config.BearerToken}
	config.Contexts["e2e"] = &clientcmdapi.Context{Cluster: "e2e", AuthInfo: "admin"}
	config.CurrentContext = "e2e"
	if err := clientcmd.WriteToFile(*config, kubeconfig); err != nil {
		t.Fatal(err)
	}
	args := []string{
		"--metrics-addr", fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t)),
		"--health-addr", fmt.Sprintf("127.0.0.1:%d", testenv.FreePort(t)),
		"--requeue-dependency", "2s",
		"--log-level", "debug",
	}
	for flag, controllers := range flux.LockdownFlags {
		for _, ctrl := range controllers {
			if ctrl == "kustomize-controller" {
				args = append(args, flag)
			}
		}
	}
	c.started = time.Now()
	testenv.Start(t, dir, "kustomize-controller", args, "KUBECONFIG="+kubeconfig, "RUNTIME_NAMESPACE="+gitopsNamespace)
}

// fakeNodes reports every StatefulSet's pods as running and ready, the status a
// kubelet and the StatefulSet controller would produce, so Flux health checks pass.
func (c *cluster) fakeNodes(t *testing.T) {
	c.playController(t, "report StatefulSet ready", statefulSets, true, func(sts *unstructured.Unstructured) bool {
		observed, _, _ := unstructured.NestedInt64(sts.Object, "status", "observedGeneration")
		if observed == sts.GetGeneration() {
			return false
		}
		replicas, _, _ := unstructured.NestedInt64(sts.Object, "spec", "replicas")
		unstructured.SetNestedMap(sts.Object, map[string]any{
			"observedGeneration": sts.GetGeneration(), "replicas": replicas, "readyReplicas": replicas,
			"currentReplicas": replicas, "updatedReplicas": replicas, "availableReplicas": replicas,
			"currentRevision": "r", "updateRevision": "r",
		}, "status")
		return true
	})
}

// playController stands in for a controller the harness does not run: until the test
// ends it lists the resource's objects every 300 ms and writes back each one whose
// status report changed (report returns true after setting it), through the status
// subresource where the resource has one.
func (c *cluster) playController(t *testing.T, what string, resource schema.GroupVersionResource, statusSubresource bool, report func(*unstructured.Unstructured) bool) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			list, err := c.kube.Dynamic.Resource(resource).List(ctx, metav1.ListOptions{})
			if err == nil {
				for i := range list.Items {
					obj := &list.Items[i]
					if !report(obj) {
						continue
					}
					client := c.kube.Dynamic.Resource(resource).Namespace(obj.GetNamespace())
					var subresources []string
					if statusSubresource {
						subresources = []string{"status"}
					}
					if _, err := client.Update(ctx, obj, metav1.UpdateOptions{}, subresources...); err != nil && ctx.Err() == nil {
						t.Logf("%s: %s %s: %v", c.name, what, obj.GetName(), err)
					}
				}
			}
			select {
			case <-ctx.Done():
			case <-time.After(300 * time.Millisecond):
			}
		}
	}()
}

// setArtifact plays source-controller: it points the cluster's GitRepository at a
// packed commit, with the digest kustomize-controller verifies.
func (c *cluster) setArtifact(t *testing.T, url, sha string, tarball []byte) {
	t.Helper()
	ctx := context.Background()
	res := c.kube.Dynamic.Resource(gitRepositories).Namespace(gitopsNamespace)
	repo, err := res.Get(ctx, flux.SourceName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(tarball)
	now := time.Now().UTC().Format(time.RFC3339)
	revision := "main@sha1:" + sha
	repo.Object["status"] = map[string]any{
		"observedGeneration": repo.GetGeneration(),
		"artifact": map[string]any{
			"path": fmt.Sprintf("gitrepository/%s/%s/%s.tar.gz", gitopsNamespace, flux.SourceName, sha),
			"url":  url, "revision": revision, "digest": "sha256:" + hex.EncodeToString(sum[:]),
			"lastUpdateTime": now, "size": int64(len(tarball)),
		},
		"conditions": []any{map[string]any{
			"type": "Ready", "status": "True", "reason": "Succeeded", "message": "stored artifact for revision '" + revision + "'",
			"lastTransitionTime": now, "observedGeneration": repo.GetGeneration(),
		}},
	}
	if _, err := res.UpdateStatus(ctx, repo, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("%s: set artifact: %v", c.name, err)
	}
}

// kustomizationState is the part of a Flux Kustomization's status the tests read.
type kustomizationState struct {
	ready, reason, message, applied string
	inventory                       int
}

func (c *cluster) kustomization(t *testing.T, name string) kustomizationState {
	t.Helper()
	k, err := c.kube.Dynamic.Resource(kustomizations).Namespace(gitopsNamespace).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		return kustomizationState{ready: "Missing", message: err.Error()}
	}
	var s kustomizationState
	s.applied, _, _ = unstructured.NestedString(k.Object, "status", "lastAppliedRevision")
	entries, _, _ := unstructured.NestedSlice(k.Object, "status", "inventory", "entries")
	s.inventory = len(entries)
	conditions, _, _ := unstructured.NestedSlice(k.Object, "status", "conditions")
	for _, cond := range conditions {
		m := cond.(map[string]any)
		if m["type"] == "Ready" {
			s.ready, _ = m["status"].(string)
			s.reason, _ = m["reason"].(string)
			s.message, _ = m["message"].(string)
		}
	}
	return s
}

// waitApplied waits until the cluster's Flux Kustomizations report revision applied
// and Ready.
func (c *cluster) waitApplied(t *testing.T, revision string, timeout time.Duration) {
	t.Helper()
	defer func() {
		if t.Failed() {
			list, _ := c.kube.Dynamic.Resource(statefulSets).List(context.Background(), metav1.ListOptions{})
			for _, sts := range list.Items {
				status, _, _ := unstructured.NestedMap(sts.Object, "status")
				t.Logf("%s: StatefulSet %s generation %d status %v", c.name, sts.GetName(), sts.GetGeneration(), status)
			}
		}
	}()
	testenv.Eventually(t, c.name+" applies "+revision, timeout, func() error {
		for _, name := range []string{entryName, flux.GuardKustomization, flux.PoliciesKustomization, flux.LedgerKustomization} {
			s := c.kustomization(t, name)
			if s.ready != "True" || s.applied != revision {
				return fmt.Errorf("%s: Ready=%s applied=%q (%s: %s)", name, s.ready, s.applied, s.reason, s.message)
			}
		}
		return nil
	})
}

func keysInit(repo, party string) (*keys.Result, error) {
	return keys.Init(repo, keys.InitOptions{Party: party})
}
