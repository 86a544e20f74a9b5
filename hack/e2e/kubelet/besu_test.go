//go:build e2e

package kubelet

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/kustomize/api/krusty"
	kusttypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

const (
	renderedBesuImage = "docker.io/hyperledger/besu"
	besuImageName     = "localhost/flux-ledger-e2e/besu"
	besuImageTag      = "1"
	controlPort       = 18545 // the stand-in's control listener (besu/main.go ControlPort)
)

// besuImage is the tools image with the stand-in Besu as /opt/besu/bin/besu (the
// rendered command), Besu 24.12.2's option list it checks the command line against,
// and getent (the rendered wait-for-peers uses it).
func besuImage(t *testing.T) *image {
	t.Helper()
	im := toolsImage(t, besuImageName+":"+besuImageTag)
	im.file("/opt/besu/bin/besu", goBinary(t, "./hack/e2e/kubelet/besu"), 0o755)
	im.file("/usr/bin/getent", goBinary(t, "./hack/e2e/kubelet/getent"), 0o755)
	options, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "generator/render/besu/testdata/besu-24.12.2-options.txt"))
	if err != nil {
		t.Fatal(err)
	}
	im.file("/opt/besu/options.txt", options, 0o644)
	im.dir("/opt/besu/data", 0o755)
	return im
}

// clusterObjects builds what Flux would apply to a party's cluster directory with
// kustomize, changing only the images: each rendered image name in images becomes
// the local image it maps to (name:tag).
func clusterObjects(t *testing.T, clusterDir string, images map[string]string) []*unstructured.Unstructured {
	t.Helper()
	overlay, err := os.MkdirTemp("", "flk-overlay-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(overlay)
	base, err := filepath.Rel(overlay, clusterDir) // kustomize refuses an absolute base
	if err != nil {
		t.Fatal(err)
	}
	k := kusttypes.Kustomization{TypeMeta: kusttypes.TypeMeta{APIVersion: kusttypes.KustomizationVersion, Kind: kusttypes.KustomizationKind}, Resources: []string{base}}
	for rendered, local := range images {
		name, tag, _ := strings.Cut(local, ":")
		k.Images = append(k.Images, kusttypes.Image{Name: rendered, NewName: name, NewTag: tag})
	}
	data, err := yaml.Marshal(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(overlay, "kustomization.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), overlay)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", clusterDir, err)
	}
	if data, err = resources.AsYaml(); err != nil {
		t.Fatal(err)
	}
	return testenv.DecodeObjects(t, data)
}

// party is one party's cluster directory as the test runs it.
type party struct {
	name, namespace string
	objects         []*unstructured.Unstructured
	statefulSets    []*appsv1.StatefulSet
	keys            map[string]string // Secret name → the test node key (hex) it holds
}

func loadParty(t *testing.T, name string) *party {
	t.Helper()
	clusters, _ := filepath.Glob(filepath.Join(testenv.RepoRoot(t), "parties", name, "clusters", "*"))
	if len(clusters) != 1 {
		t.Fatalf("party %s: clusters %v", name, clusters)
	}
	p := &party{name: name, keys: map[string]string{}}
	for _, obj := range clusterObjects(t, clusters[0], map[string]string{renderedBesuImage: besuImageName + ":" + besuImageTag}) {
		p.namespace = obj.GetNamespace()
		switch obj.GetKind() {
		case "StatefulSet":
			var sts appsv1.StatefulSet
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, &sts); err != nil {
				t.Fatal(err)
			}
			p.statefulSets = append(p.statefulSets, &sts)
		case "Secret":
			// The committed node keys are sealed to the parties' own age keys, which
			// nobody here has (kustomize-controller decrypts them in the real cluster):
			// each Secret of the same name holds a fresh key instead.
			key, _ := crypto.GenerateKey()
			hexKey := "0x" + hex.EncodeToString(crypto.FromECDSA(key))
			p.keys[obj.GetName()] = hexKey
			data, _, _ := unstructured.NestedMap(obj.Object, "data")
			if len(data) != 1 || data["key"] == nil {
				t.Fatalf("Secret %s holds %v, not one key", obj.GetName(), data)
			}
			delete(obj.Object, "sops")
			delete(obj.Object, "data")
			obj.Object["stringData"] = map[string]any{"key": hexKey}
		}
		p.objects = append(p.objects, obj)
	}
	return p
}

// applyObjects creates a party's namespace (Flux's entry creates it in a real
// cluster) and applies every object.
func (n *node) applyObjects(t *testing.T, party, namespace string, objects []*unstructured.Unstructured) {
	t.Helper()
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if _, err := n.Client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	dyn, err := dynamic.NewForConfig(n.Config)
	if err != nil {
		t.Fatal(err)
	}
	disco, err := discovery.NewDiscoveryClientForConfig(n.Config)
	if err != nil {
		t.Fatal(err)
	}
	kube := &testenv.Kube{Dynamic: dyn, Mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disco))}
	// The kinds of the gateway a party's p2p traffic goes through (Istio, HAProxy,
	// Emissary) are served as open CRDs, as in the e2e: nothing here acts on them.
	var crds []*unstructured.Unstructured
	seen := map[string]bool{}
	for _, obj := range objects {
		gvk := obj.GroupVersionKind()
		if gvk.Group == "" || seen[gvk.String()] {
			continue
		}
		seen[gvk.String()] = true
		if _, err := kube.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
			crds = append(crds, testenv.OpenCRD(gvk.Group, gvk.Version, gvk.Kind))
		}
	}
	if len(crds) > 0 {
		kube.InstallCRDs(t, crds)
	}
	for _, obj := range objects {
		if err := kube.Apply(ctx, obj, false); err != nil {
			t.Fatalf("%s: apply %s %s: %v", party, obj.GetKind(), obj.GetName(), err)
		}
	}
}

// createPods creates the pods of StatefulSets (podsOf) and returns them.
func (n *node) createPods(t *testing.T, sets []*appsv1.StatefulSet) []*corev1.Pod {
	t.Helper()
	var pods []*corev1.Pod
	for _, sts := range sets {
		for _, pod := range podsOf(sts) {
			if _, err := n.Client.CoreV1().Pods(pod.Namespace).Create(context.Background(), pod, metav1.CreateOptions{}); err != nil {
				t.Fatalf("create pod %s: %v", pod.Name, err)
			}
			pods = append(pods, pod)
		}
	}
	return pods
}

// podsOf plays the StatefulSet controller, which this node does not run: pod <name>-<i>
// from the template, with the controller's hostname, subdomain and pod-name label,
// bound to the node. A volume claim template becomes an emptyDir (no storage
// provisioner here), the one change to the pod.
func podsOf(sts *appsv1.StatefulSet) []*corev1.Pod {
	var pods []*corev1.Pod
	replicas := int32(1)
	if sts.Spec.Replicas != nil {
		replicas = *sts.Spec.Replicas
	}
	for i := range replicas {
		name := fmt.Sprintf("%s-%d", sts.Name, i)
		pod := &corev1.Pod{ObjectMeta: *sts.Spec.Template.ObjectMeta.DeepCopy(), Spec: *sts.Spec.Template.Spec.DeepCopy()}
		pod.Name, pod.Namespace = name, sts.Namespace
		if pod.Labels == nil {
			pod.Labels = map[string]string{}
		}
		pod.Labels["statefulset.kubernetes.io/pod-name"] = name
		pod.Labels["apps.kubernetes.io/pod-index"] = fmt.Sprint(i)
		pod.Spec.Hostname, pod.Spec.Subdomain = name, sts.Spec.ServiceName
		pod.Spec.NodeName = nodeName
		for _, claim := range sts.Spec.VolumeClaimTemplates {
			pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: claim.Name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
		}
		pods = append(pods, pod)
	}
	return pods
}

// publishNames plays external-dns and the network: every peer name of the party's
// static nodes resolves, its own nodes' names (the p2p Services' external-dns
// hostname) to their pods' addresses once they have one, the other parties' gateway
// names to the bridge's address (nothing of theirs runs here).
func (n *node) publishNames(t *testing.T, p *party) {
	t.Helper()
	ctx := context.Background()
	own := map[string]string{} // name → node (StatefulSet)
	for _, obj := range p.objects {
		if host := obj.GetAnnotations()["external-dns.alpha.kubernetes.io/hostname"]; host != "" && obj.GetKind() == "Service" {
			selector, _, _ := unstructured.NestedStringMap(obj.Object, "spec", "selector")
			own[host] = selector["ledger.flux-ledger.dev/node"]
		}
	}
	for _, obj := range p.objects {
		if obj.GetKind() != "ConfigMap" || obj.GetName() != "peers" {
			continue
		}
		data, _, _ := unstructured.NestedString(obj.Object, "data", "static-nodes.json")
		var enodes []string
		if err := json.Unmarshal([]byte(data), &enodes); err != nil {
			t.Fatal(err)
		}
		for _, e := range enodes {
			host, _, _ := net.SplitHostPort(e[strings.Index(e, "@")+1:])
			if _, ok := own[host]; !ok {
				n.dns.set(host, n.ip)
			}
		}
	}
	pods, err := n.Client.CoreV1().Pods(p.namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for host, nodeName := range own {
		for _, pod := range pods.Items {
			if pod.Labels["ledger.flux-ledger.dev/node"] == nodeName && pod.Status.PodIP != "" {
				n.dns.set(host, net.ParseIP(pod.Status.PodIP))
			}
		}
	}
}

// standIn is what a pod's stand-in Besu reports on its control listener.
type standIn struct {
	Address    string          `json:"address"`
	Head       uint64          `json:"head"`
	Calls      []string        `json:"calls"`
	Peers      []string        `json:"peers"`
	Pending    map[string]bool `json:"pending"`
	Validators []string        `json:"validators"`
}

func control(pod *corev1.Pod, method, path string) (*standIn, error) {
	req, _ := http.NewRequest(method, fmt.Sprintf("http://%s:%d%s", pod.Status.PodIP, controlPort, path), nil)
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if method != http.MethodGet {
		return nil, nil
	}
	var s standIn
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	pending := map[string]bool{} // addresses in lower case (Besu's are checksummed)
	for a, add := range s.Pending {
		pending[strings.ToLower(a)] = add
	}
	s.Pending = pending
	return &s, nil
}

func (n *node) pod(t *testing.T, namespace, name string) *corev1.Pod {
	t.Helper()
	pod, err := n.Client.CoreV1().Pods(namespace).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return pod
}

// TestBesuPods runs each party's committed cluster directory on a real node, Besu
// replaced by the stand-in and nothing else changed, and checks what only running pods
// show: every node Ready, the init containers done, the sidecar scripts talking to
// Besu, the security settings in force, probes that fail, ConfigMaps that update.
func TestBesuPods(t *testing.T) {
	total := time.Now()
	n := startNode(t)
	n.startDNS(t)
	start := time.Now()
	n.importImage(t, besuImage(t))
	t.Logf("besu image built and imported in %s", time.Since(start).Round(10*time.Millisecond))
	parties, _ := filepath.Glob(filepath.Join(testenv.RepoRoot(t), "parties", "*", "clusters"))
	for _, dir := range parties {
		name := filepath.Base(filepath.Dir(dir))
		t.Run(name, func(t *testing.T) {
			p := loadParty(t, name)
			n.runParty(t, p, name == "contoso")
		})
		if t.Failed() {
			break
		}
	}
	n.Timings["total before teardown"] = time.Since(total)
	keys := make([]string, 0, len(n.Timings))
	for k := range n.Timings {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var summary []string
	for _, k := range keys {
		summary = append(summary, fmt.Sprintf("%s %s", k, n.Timings[k].Round(100*time.Millisecond)))
	}
	t.Logf("timings: %s", strings.Join(summary, "; "))
}

func (n *node) runParty(t *testing.T, p *party, deep bool) {
	n.applyObjects(t, p.name, p.namespace, p.objects)
	start := time.Now()
	pods := n.createPods(t, p.statefulSets)
	// Names resolve as pods get addresses; every pod Ready. The bound: the startup and
	// readiness probes run every 10 s and wait-for-peers retries every 5 s; measured
	// 20-40 s on 2 cores.
	n.waitPods(t, p.namespace, p.name+" nodes Ready", 120*time.Second, func(list []corev1.Pod) error {
		n.publishNames(t, p)
		return allReady(len(pods))(list)
	})
	ready := time.Since(start)
	n.Timings[p.name+" pods Ready"] = ready
	t.Logf("%d pods Ready after %s", len(pods), ready.Round(10*time.Millisecond))
	defer n.deletePods(t, p.name, p.namespace)

	for _, pod := range pods {
		running := n.pod(t, p.namespace, pod.Name)
		for _, s := range running.Status.InitContainerStatuses {
			if s.State.Terminated == nil || s.State.Terminated.ExitCode != 0 || s.State.Terminated.Reason != "Completed" {
				t.Errorf("%s: init container %s: %+v", pod.Name, s.Name, s.State)
			}
		}
		n.checkSecurity(t, running)
		checkMetrics(t, running)
	}
	if deep {
		n.checkScripts(t, p)
	}
}

// checkScripts changes the mounted lists and a node's health while the pods run:
//   - a peer added to the peers ConfigMap reaches the running pod (no restart) and
//     peer-sync adds it to Besu by the address its name resolves to;
//   - a vote added to the validator-votes ConfigMap is proposed by validator-vote,
//     exactly as listed, and once the other validators' votes carry it onto the chain
//     validator-vote stops proposing and discards its pending vote;
//   - a Besu whose health checks fail goes unready (exec readiness probe) and is
//     restarted (exec liveness probe), then is Ready again.
func (n *node) checkScripts(t *testing.T, p *party) {
	t.Helper()
	ctx := context.Background()
	voter, sick := p.name+"-validator-1-0", p.name+"-validator-2-0"
	voterPod := n.pod(t, p.namespace, voter)
	restarts := func(pod *corev1.Pod) int32 {
		var sum int32
		for _, s := range pod.Status.ContainerStatuses {
			sum += s.RestartCount
		}
		return sum
	}
	before := restarts(voterPod)

	// A new peer, its name published.
	key, _ := crypto.GenerateKey()
	newID := hex.EncodeToString(crypto.FromECDSAPub(&key.PublicKey)[1:])
	newHost := "e2e-new-peer.tradenet.example"
	n.dns.set(newHost, n.ip)
	peers, err := n.Client.CoreV1().ConfigMaps(p.namespace).Get(ctx, "peers", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var enodes []string
	if err := json.Unmarshal([]byte(peers.Data["static-nodes.json"]), &enodes); err != nil {
		t.Fatal(err)
	}
	enodes = append(enodes, "enode://"+newID+"@"+newHost+":30303")
	list, _ := json.MarshalIndent(enodes, "", "  ")
	peers.Data["static-nodes.json"] = string(list) + "\n"
	// A vote, as the renderer writes one.
	voteKey, _ := crypto.GenerateKey()
	subject := strings.ToLower(crypto.PubkeyToAddress(voteKey.PublicKey).Hex())
	votes, err := n.Client.CoreV1().ConfigMaps(p.namespace).Get(ctx, "validator-votes", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	votes.Data["votes"] += "qbft_proposeValidatorVote " + subject + " true\n"
	changed := time.Now()
	for _, cm := range []*corev1.ConfigMap{peers, votes} {
		if _, err := n.Client.CoreV1().ConfigMaps(p.namespace).Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// The other node's Besu stops answering its health checks.
	if _, err := control(n.pod(t, p.namespace, sick), http.MethodPost, "/unhealthy"); err != nil {
		t.Fatal(err)
	}
	sickSince := time.Now()
	// Watch for the moment it goes unready while the lists are checked.
	unreadyAt := make(chan time.Duration, 1)
	watchDone := make(chan struct{})
	defer close(watchDone)
	go func() {
		for {
			pod, err := n.Client.CoreV1().Pods(p.namespace).Get(ctx, sick, metav1.GetOptions{})
			if err == nil && !podReady(pod) {
				unreadyAt <- time.Since(sickSince)
				return
			}
			select {
			case <-watchDone:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()

	// The bound: the kubelet refreshes a ConfigMap volume within its sync period
	// (10 s here), and both scripts act once per 30 s round.
	proposes := func(s *standIn) int {
		count := 0
		for _, c := range s.Calls {
			if strings.HasPrefix(c, "qbft_proposeValidatorVote") {
				if c != fmt.Sprintf(`qbft_proposeValidatorVote ["%s",true]`, subject) {
					t.Errorf("validator-vote proposed %s, want only the listed vote for %s", c, subject)
				}
				count++
			}
		}
		return count
	}
	testenv.Eventually(t, "peer-sync adds the new peer, validator-vote proposes the vote", 90*time.Second, func() error {
		s, err := control(voterPod, http.MethodGet, "/state")
		if err != nil {
			return err
		}
		added := slices.ContainsFunc(s.Calls, func(c string) bool {
			return strings.HasPrefix(c, "admin_addPeer") && strings.Contains(c, newID+"@"+n.ip.String()+":30303")
		})
		if !added {
			return fmt.Errorf("no admin_addPeer of the new peer by address; calls %v", s.Calls)
		}
		if proposes(s) == 0 || !s.Pending[subject] {
			return fmt.Errorf("vote for %s not proposed; pending %v", subject, s.Pending)
		}
		return nil
	})
	n.Timings["ConfigMap change acted on"] = time.Since(changed)
	t.Logf("peer added and vote proposed %s after the ConfigMaps changed", time.Since(changed).Round(100*time.Millisecond))

	// The other validators vote too; the chain carries the change; the vote stops.
	if _, err := control(voterPod, http.MethodPost, "/vote?add=true&address="+subject); err != nil {
		t.Fatal(err)
	}
	var onChain time.Time
	testenv.Eventually(t, "the vote on chain, validator-vote's pending vote discarded", 90*time.Second, func() error {
		s, err := control(voterPod, http.MethodGet, "/state")
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(s.Validators, func(v string) bool { return strings.EqualFold(v, subject) }) {
			return fmt.Errorf("%s not a validator yet at block %d", subject, s.Head)
		}
		if onChain.IsZero() {
			onChain = time.Now()
		}
		if s.Pending[subject] {
			return fmt.Errorf("own vote for %s still pending", subject)
		}
		discarded := slices.ContainsFunc(s.Calls, func(c string) bool {
			return strings.HasPrefix(c, "qbft_discardValidatorVote") && strings.Contains(strings.ToLower(c), subject)
		})
		if !discarded {
			return fmt.Errorf("no discardValidatorVote of %s", subject)
		}
		return nil
	})
	s, err := control(voterPod, http.MethodGet, "/state")
	if err != nil {
		t.Fatal(err)
	}
	settled := proposes(s)
	// One more round of the script: no new proposal once the chain shows the change.
	testenv.Eventually(t, "validator-vote reads the chain again", 60*time.Second, func() error {
		s, err = control(voterPod, http.MethodGet, "/state")
		if err != nil {
			return err
		}
		reads := 0
		for _, c := range s.Calls {
			if strings.HasPrefix(c, "qbft_getValidatorsByBlockNumber") {
				reads++
			}
		}
		if reads < 3 {
			return fmt.Errorf("%d chain reads", reads)
		}
		return nil
	})
	if got := proposes(s); got != settled {
		t.Errorf("validator-vote proposed %d more times after the chain showed the change", got-settled)
	}
	if got := restarts(n.pod(t, p.namespace, voter)); got != before {
		t.Errorf("%s restarted %d times while its ConfigMaps changed", voter, got-before)
	}

	// The sick node: unready, restarted by its liveness probe, then Ready again. The
	// bound: readiness fails within one 10 s period; liveness after 6 failures 10 s
	// apart; then the startup and readiness probes again.
	var unready time.Duration
	testenv.Eventually(t, sick+" unready, restarted, Ready again", 150*time.Second, func() error {
		pod := n.pod(t, p.namespace, sick)
		if unready == 0 {
			select {
			case unready = <-unreadyAt:
			default:
				return fmt.Errorf("still Ready")
			}
		}
		for _, c := range pod.Status.ContainerStatuses {
			if c.Name == "besu" && c.RestartCount == 0 {
				return fmt.Errorf("besu not restarted: %s", podSummary(pod))
			}
		}
		if !podReady(pod) {
			return fmt.Errorf("not Ready again: %s", podSummary(pod))
		}
		return nil
	})
	n.Timings["probe failure to unready"] = unready
	n.Timings["probe failure to Ready again"] = time.Since(sickSince)
	t.Logf("%s unready %s after its health checks failed; restarted and Ready again after %s", sick,
		unready.Round(100*time.Millisecond), time.Since(sickSince).Round(100*time.Millisecond))
}

// checkSecurity execs into every container of a pod: it runs as uid and gid 1000 with
// the fsGroup, no capabilities, seccomp filtering, a read-only root filesystem, and
// the node key (where mounted) readable by the group only.
func (n *node) checkSecurity(t *testing.T, pod *corev1.Pod) {
	t.Helper()
	for _, c := range pod.Spec.Containers {
		script := `id -u; id -g; id -G; grep -E '^(CapEff|Seccomp):' /proc/self/status | tr -d '\t' | tr '\n' ' '; echo;
if touch /root-write-test 2>/dev/null; then echo rootfs=writable; else echo rootfs=read-only; fi
if [ -e /secrets/key ]; then stat -L -c 'key=%a' /secrets/key; else echo key=none; fi`
		out, err := n.exec(t, pod.Namespace, pod.Name, c.Name, "/bin/bash", "-c", script)
		if err != nil {
			t.Errorf("%s/%s: exec: %v", pod.Name, c.Name, err)
			continue
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 6 {
			t.Errorf("%s/%s: exec printed %q", pod.Name, c.Name, out)
			continue
		}
		want := []string{"1000", "1000", "1000", "CapEff:0000000000000000 Seccomp:2", "rootfs=read-only"}
		for i, w := range want {
			if strings.TrimSpace(lines[i]) != w {
				t.Errorf("%s/%s: line %d is %q, want %q", pod.Name, c.Name, i+1, lines[i], w)
			}
		}
		mountsKey := slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == "/secrets" })
		if wantKey := map[bool]string{true: "key=440", false: "key=none"}[mountsKey]; lines[5] != wantKey {
			t.Errorf("%s/%s: %s, want %s", pod.Name, c.Name, lines[5], wantKey)
		}
	}
}

// checkMetrics scrapes the pod's metrics port, as Prometheus would from the node's
// network.
func checkMetrics(t *testing.T, pod *corev1.Pod) {
	t.Helper()
	for _, c := range pod.Spec.Containers {
		for _, port := range c.Ports {
			if port.Name != "metrics" {
				continue
			}
			client := &http.Client{Timeout: 5 * time.Second}
			resp, err := client.Get(fmt.Sprintf("http://%s:%d/metrics", pod.Status.PodIP, port.ContainerPort))
			if err != nil {
				t.Errorf("%s: scrape: %v", pod.Name, err)
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "ethereum_blockchain_height") {
				t.Errorf("%s: metrics %s: %s", pod.Name, resp.Status, body)
			}
		}
	}
}

// deletePods removes a party's pods and waits until the kubelet has stopped them
// (the next party needs the node's CPU).
func (n *node) deletePods(t *testing.T, party, namespace string) {
	ctx := context.Background()
	start := time.Now()
	grace := int64(1)
	if err := n.Client.CoreV1().Pods(namespace).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &grace}, metav1.ListOptions{}); err != nil {
		t.Errorf("delete pods: %v", err)
		return
	}
	n.waitPods(t, namespace, party+" pods gone", 60*time.Second, func(list []corev1.Pod) error {
		if len(list) > 0 {
			return fmt.Errorf("%d pods left", len(list))
		}
		return nil
	})
	t.Logf("pods deleted in %s", time.Since(start).Round(10*time.Millisecond))
}
