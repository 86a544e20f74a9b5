//go:build e2e

package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/flux-ledger/flux-ledger/generator/gitops"
	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
	"github.com/flux-ledger/flux-ledger/generator/secrets"
	"github.com/flux-ledger/flux-ledger/generator/status"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// Bounds of the waits: generous for a loaded 2-core machine, never open-ended.
const (
	readyTimeout  = 3 * time.Minute
	changeTimeout = 3 * time.Minute
)

var (
	configMaps = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	services   = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	secretsGVR = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
)

type consortium struct {
	repo      *networkRepo
	artifacts *artifactServer
	clusters  map[string]*cluster // party → cluster
}

// publish commits the work tree and hands the commit to every cluster (or only to
// the parties named), as source-controller would after fetching it; it returns the
// Flux revision.
func (c *consortium) publish(t *testing.T, message string, only ...string) string {
	t.Helper()
	sha := c.repo.commit(t, message)
	tarball := c.repo.tarball(t, sha)
	url := c.artifacts.publish("/"+sha+".tar.gz", tarball)
	for _, party := range slices.Sorted(maps.Keys(c.clusters)) {
		if len(only) == 0 || slices.Contains(only, party) {
			c.clusters[party].setArtifact(t, url, sha, tarball)
		}
	}
	return "main@sha1:" + sha
}

// status reads every cluster the way `flux-ledger status` does.
func (c *consortium) status(t *testing.T) *status.Report {
	t.Helper()
	report := status.Collect(context.Background(), c.network(t), c.statusOptions(t))
	var b strings.Builder
	report.Table(&b)
	t.Logf("flux-ledger status (exit %d):\n%s", report.ExitCode(), b.String())
	return report
}

// statusOptions are the options `flux-ledger status` would use: a kubeconfig with
// one context per cluster, HEAD and the commits behind it.
func (c *consortium) statusOptions(t *testing.T) status.Options {
	t.Helper()
	config := clientcmdapi.NewConfig()
	for _, cl := range c.clusters {
		config.Clusters[cl.name] = &clientcmdapi.Cluster{Server: cl.server.URL, InsecureSkipTLSVerify: true}
		config.AuthInfos[cl.name] = &clientcmdapi.AuthInfo{Token: cl.server.Config.BearerToken}
		config.Contexts[cl.name] = &clientcmdapi.Context{Cluster: cl.name, AuthInfo: cl.name}
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*config, kubeconfig); err != nil {
		t.Fatal(err)
	}
	head, err := gitops.Resolve(c.repo.git, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	return status.Options{
		Kubeconfig: kubeconfig, Timeout: 5 * time.Second, Head: head.Hash.String(),
		Behind: func(sha string) int { return gitops.CommitsBehind(c.repo.git, head, sha, 100) },
	}
}

// onlyOwnObjects checks that no cluster holds an object of these resources labelled
// with another party.
func onlyOwnObjects(t *testing.T, c *consortium, resources ...schema.GroupVersionResource) {
	t.Helper()
	for _, p := range parties {
		cl := c.clusters[p]
		for _, other := range parties {
			if other == p {
				continue
			}
			for _, res := range resources {
				list, err := cl.kube.Dynamic.Resource(res).List(context.Background(), metav1.ListOptions{LabelSelector: model.LabelParty + "=" + other})
				if err != nil {
					t.Fatal(err)
				}
				if len(list.Items) > 0 {
					t.Errorf("%s holds %d %s of party %s", cl.name, len(list.Items), res.Resource, other)
				}
			}
		}
	}
}

func clusterState(r *status.Report, cluster string) status.Cluster {
	for _, c := range r.Clusters {
		if c.Cluster == cluster {
			return c
		}
	}
	return status.Cluster{}
}

func (c *consortium) network(t *testing.T) *model.Network {
	t.Helper()
	result, err := load.Network(filepath.Join(c.repo.dir, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	return result.Network
}

// The three parties of the e2e networks and their clusters.
var (
	parties   = []string{"alpha", "beta", "gamma"}
	clusterOf = map[string]string{"alpha": "alpha-aks", "beta": "beta-gke", "gamma": "gamma-eks"}
)

// startConsortium builds the repository of the network in file and starts every
// party's cluster, in parallel, on one etcd.
func startConsortium(t *testing.T, file string) (*consortium, *testenv.Etcd) {
	t.Helper()
	c := &consortium{repo: newNetworkRepoFrom(t, file, parties...), artifacts: startArtifactServer(t), clusters: map[string]*cluster{}}
	etcd := testenv.StartEtcd(t)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, p := range parties {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := startCluster(t, etcd, p, clusterOf[p], c.repo.keys[p])
			mu.Lock()
			c.clusters[p] = cl
			mu.Unlock()
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return c, etcd
}

func TestConsortium(t *testing.T) {
	c, etcd := startConsortium(t, "testdata/network.cue")
	revision := c.publish(t, "network")
	t.Run("workloads wait until Kyverno serves the policies", func(t *testing.T) {
		network := c.network(t)
		for _, p := range parties {
			t.Run(p, func(t *testing.T) {
				t.Parallel()
				provePolicyGate(t, c.clusters[p], network.Parties[p].Namespace)
			})
		}
	})
	for _, p := range parties {
		c.clusters[p].kyverno.set(func(string) bool { return true })
	}
	for _, p := range parties {
		cl := c.clusters[p]
		cl.waitApplied(t, revision, readyTimeout)
		cl.readyAfter = time.Since(cl.started)
	}
	report(t, c)

	t.Run("each cluster applies the monitoring of its mode", func(t *testing.T) {
		proveMonitoring(t, c)
	})

	t.Run("the monitoring objects pass the party's Kyverno policies", func(t *testing.T) {
		proveMonitoringPolicies(t, c)
	})

	t.Run("every party runs its nodes with decrypted keys", func(t *testing.T) {
		network := c.network(t)
		byParty := network.NodesByParty()
		for _, p := range parties {
			cl := c.clusters[p]
			ns := network.Parties[p].Namespace
			for _, node := range byParty[p] {
				for _, res := range []schema.GroupVersionResource{statefulSets, services} {
					if _, err := cl.kube.Dynamic.Resource(res).Namespace(ns).Get(context.Background(), node.Name, metav1.GetOptions{}); err != nil {
						t.Errorf("%s: %s %s: %v", cl.name, res.Resource, node.Name, err)
					}
				}
				secret, err := cl.kube.Dynamic.Resource(secretsGVR).Namespace(ns).Get(context.Background(), identity.SecretName(node.Name), metav1.GetOptions{})
				if err != nil {
					t.Errorf("%s: node key of %s: %v", cl.name, node.Name, err)
					continue
				}
				// Served decrypted by the API server: base64 of the key file, not SOPS.
				encoded, _, _ := unstructured.NestedString(secret.Object, "data", identity.NodeKeyEntry)
				raw, _ := base64.StdEncoding.DecodeString(encoded)
				key, err := identity.ParseNodeKey(raw)
				if err != nil {
					t.Errorf("%s: node key of %s not decrypted: %v", cl.name, node.Name, err)
					continue
				}
				if got := identity.Public(key); got != network.Identities[node.Name] {
					t.Errorf("%s: node key of %s does not match its public identity", cl.name, node.Name)
				}
			}
			for _, name := range []string{"genesis", "peers"} {
				if _, err := cl.kube.Dynamic.Resource(configMaps).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{}); err != nil {
					t.Errorf("%s: ConfigMap %s: %v", cl.name, name, err)
				}
			}
		}
	})

	t.Run("status of a healthy network", func(t *testing.T) {
		// Kyverno's background scan would write this report; Kyverno does not run here.
		ns := c.network(t).Parties["alpha"].Namespace
		policyReport := obj("wgpolicyk8s.io/v1alpha2", "PolicyReport", ns, "ledger-scan", nil)
		policyReport.Object["summary"] = map[string]any{"pass": int64(12), "fail": int64(0)}
		c.clusters["alpha"].apply(t, policyReport)
		report := c.status(t)
		if p := clusterState(report, "alpha-aks").Policies; p == nil || p.Pass != 12 || p.Fail != 0 {
			t.Errorf("alpha policy counts %+v, want 12 pass, 0 fail", p)
		}
		if report.ExitCode() != 0 {
			t.Fatalf("exit code %d for a healthy network", report.ExitCode())
		}
		for _, cl := range report.Clusters {
			// Three Kustomizations are flux-ledger's (guard, policies, ledger); the entry point's is Arc's.
			if cl.State != status.StateReady || len(cl.Kustomizations) != 3 || len(cl.Nodes) == 0 {
				t.Errorf("%s: %+v", cl.Cluster, cl)
			}
			for _, k := range cl.Kustomizations {
				if k.Behind != 0 {
					t.Errorf("%s/%s: behind %d", cl.Cluster, k.Name, k.Behind)
				}
			}
		}
	})

	t.Run("clusters hold only their own party's objects", func(t *testing.T) {
		onlyOwnObjects(t, c, statefulSets, services, configMaps, secretsGVR)
	})

	t.Run("a party's reconciler cannot write outside its namespace", func(t *testing.T) {
		cl := c.clusters["alpha"]
		network := c.network(t)
		as := impersonate(t, cl, "system:serviceaccount:"+gitopsNamespace+":"+flux.ReconcilerAccount)
		cm := obj("v1", "ConfigMap", "", "intruder", nil)
		for _, ns := range []string{"default", gitopsNamespace, network.Parties["beta"].Namespace} {
			cm.SetNamespace(ns)
			_, err := as.Resource(configMaps).Namespace(ns).Create(context.Background(), cm, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			if !apierrors.IsForbidden(err) {
				t.Errorf("create ConfigMap in %s as alpha's reconciler: %v, want Forbidden", ns, err)
			}
		}
		// Positive control: the same request in its own namespace is allowed.
		own := network.Parties["alpha"].Namespace
		cm.SetNamespace(own)
		if _, err := as.Resource(configMaps).Namespace(own).Create(context.Background(), cm, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}); err != nil {
			t.Errorf("create ConfigMap in its own namespace %s: %v", own, err)
		}
	})

	t.Run("adding and removing a node reaches only what it must", func(t *testing.T) {
		network := c.network(t)
		before := map[string]map[string]string{}
		for _, p := range []string{"alpha", "gamma"} {
			before[p] = versions(t, c.clusters[p], network.Parties[p].Namespace)
		}
		testenv.EditNetwork(t, c.repo.dir, `		"beta-v2": {`, `		"beta-m1": {role: "member", cluster: "beta-gke", image: besu, ports: p2p: 30305}
		"beta-v2": {`)
		if _, err := keysInit(c.repo.dir, "beta"); err != nil {
			t.Fatal(err)
		}
		c.repo.generate(t)
		revision := c.publish(t, "add beta-m1")
		for _, p := range parties {
			c.clusters[p].waitApplied(t, revision, changeTimeout)
		}
		if _, err := c.clusters["beta"].kube.Dynamic.Resource(statefulSets).Namespace(network.Parties["beta"].Namespace).
			Get(context.Background(), "beta-m1", metav1.GetOptions{}); err != nil {
			t.Errorf("beta-m1 did not reach cluster beta: %v", err)
		}
		for _, p := range []string{"alpha", "gamma"} {
			after := versions(t, c.clusters[p], network.Parties[p].Namespace)
			var changed []string
			for name, v := range after {
				if before[p][name] != v {
					changed = append(changed, name)
				}
			}
			if strings.Join(changed, ",") != "ConfigMap/peers" {
				t.Errorf("cluster of %s changed %v, want only ConfigMap/peers", p, changed)
			}
		}

		testenv.EditNetwork(t, c.repo.dir, `		"beta-m1": {role: "member", cluster: "beta-gke", image: besu, ports: p2p: 30305}
`, "")
		os.Remove(filepath.Join(c.repo.dir, identity.IdentityPath("beta-m1")))
		os.Remove(filepath.Join(c.repo.dir, identity.SecretPath("beta", "beta-m1")))
		c.repo.generate(t)
		revision = c.publish(t, "remove beta-m1")
		c.clusters["beta"].waitApplied(t, revision, changeTimeout)
		testenv.Eventually(t, "beta-m1 pruned", changeTimeout, func() error {
			_, err := c.clusters["beta"].kube.Dynamic.Resource(statefulSets).Namespace(network.Parties["beta"].Namespace).
				Get(context.Background(), "beta-m1", metav1.GetOptions{})
			if apierrors.IsNotFound(err) {
				return nil
			}
			return fmt.Errorf("still there (%w)", err)
		})
	})

	t.Run("a party joins the launched network by vote, then leaves", func(t *testing.T) {
		validatorJoinsByVote(t, c, etcd)
	})

	t.Run("a secret sealed to the wrong party fails only that party", func(t *testing.T) {
		path := filepath.Join(c.repo.dir, identity.SecretPath("beta", "beta-v1"))
		sealed, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := secrets.Open(sealed, []age.Identity{c.repo.keys["beta"]})
		if err != nil {
			t.Fatal(err)
		}
		wrong, err := secrets.Seal(plain, []string{c.repo.keys["alpha"].Recipient().String()})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, wrong, 0o644); err != nil {
			t.Fatal(err)
		}
		revision := c.publish(t, "beta-v1 key sealed to alpha")
		beta := c.clusters["beta"]
		testenv.Eventually(t, "beta's ledger Kustomization fails decryption", changeTimeout, func() error {
			s := beta.kustomization(t, flux.LedgerKustomization)
			if s.ready == "False" && strings.Contains(strings.ToLower(s.message), "decrypt") {
				t.Logf("beta: %s: %s", s.reason, s.message)
				return nil
			}
			return fmt.Errorf("Ready=%s %s: %s", s.ready, s.reason, s.message)
		})
		for _, p := range []string{"alpha", "gamma"} {
			c.clusters[p].waitApplied(t, revision, changeTimeout)
		}
		report := c.status(t)
		if beta := clusterState(report, "beta-gke"); beta.State != status.StateFailed || report.ExitCode() != 1 {
			t.Errorf("status: beta %s, exit %d; want Failed, 1", beta.State, report.ExitCode())
		}
	})

	t.Run("status shows a party behind HEAD", func(t *testing.T) {
		os.WriteFile(filepath.Join(c.repo.dir, "NOTES.md"), []byte("a commit gamma has not fetched yet\n"), 0o644)
		revision := c.publish(t, "notes", "alpha")
		c.clusters["alpha"].waitApplied(t, revision, changeTimeout)
		report := c.status(t)
		gamma := clusterState(report, "gamma-eks")
		if gamma.State != status.StateBehind || report.ExitCode() != 1 {
			t.Errorf("gamma: %s; exit %d; want Behind, 1", gamma.State, report.ExitCode())
		}
		for _, k := range gamma.Kustomizations {
			if k.Name == flux.LedgerKustomization && k.Behind != 1 {
				t.Errorf("gamma's ledger is %d commits behind, want 1", k.Behind)
			}
		}
	})

	t.Run("the dashboard shows every party and turns a stopped cluster red", func(t *testing.T) {
		proveDashboard(t, c, parties, "gamma", clusterOf["gamma"])
	})

	t.Run("status reports a stopped cluster without blocking the others", func(t *testing.T) {
		c.clusters["gamma"].server.Stop()
		start := time.Now()
		report := c.status(t)
		if gamma := clusterState(report, "gamma-eks"); gamma.State != status.StateUnreachable || gamma.Error == "" {
			t.Errorf("gamma: %+v", gamma)
		}
		if alpha := clusterState(report, "alpha-aks"); alpha.State != status.StateReady {
			t.Errorf("alpha: %s", alpha.State)
		}
		if report.ExitCode() != 2 {
			t.Errorf("exit %d, want 2", report.ExitCode())
		}
		if elapsed := time.Since(start); elapsed > 15*time.Second {
			t.Errorf("status took %s with one cluster down", elapsed)
		}
	})
}

func impersonate(t *testing.T, cl *cluster, user string) dynamic.Interface {
	t.Helper()
	config := rest.CopyConfig(cl.server.Config)
	config.Impersonate = rest.ImpersonationConfig{UserName: user}
	client, err := dynamic.NewForConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// versions maps each ledger object of a namespace to its resourceVersion.
func versions(t *testing.T, cl *cluster, namespace string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for kind, res := range map[string]schema.GroupVersionResource{"StatefulSet": statefulSets, "Service": services, "ConfigMap": configMaps, "Secret": secretsGVR} {
		list, err := cl.kube.Dynamic.Resource(res).Namespace(namespace).List(context.Background(), metav1.ListOptions{LabelSelector: model.LabelManaged + "=flux-ledger"})
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range list.Items {
			out[kind+"/"+item.GetName()] = item.GetResourceVersion()
		}
	}
	return out
}

// report prints the per-cluster table: objects applied and time to Ready.
func report(t *testing.T, c *consortium) {
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-10s %-12s %-8s %-10s %s\n", "PARTY", "CLUSTER", "OBJECTS", "READY IN", "REVISION")
	for _, p := range slices.Sorted(maps.Keys(c.clusters)) {
		cl := c.clusters[p]
		objects := 0
		for _, name := range []string{entryName, flux.PoliciesKustomization, flux.LedgerKustomization} {
			objects += cl.kustomization(t, name).inventory
		}
		s := cl.kustomization(t, flux.LedgerKustomization)
		fmt.Fprintf(&b, "%-10s %-12s %-8d %-10s %s\n", p, cl.name, objects, cl.readyAfter.Round(100*time.Millisecond), s.applied)
	}
	t.Log(b.String())
}
