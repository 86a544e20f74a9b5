//go:build e2e

package kubelet

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// The rendered Fabric images and the local stand-in images that replace them
// (hack/e2e/kubelet/fabric, one binary that is every program by its name).
var fabricImages = map[string]string{
	"docker.io/hyperledger/fabric-orderer": "localhost/flux-ledger-e2e/fabric-orderer:1",
	"docker.io/hyperledger/fabric-peer":    "localhost/flux-ledger-e2e/fabric-peer:1",
	"docker.io/hyperledger/fabric-tools":   "localhost/flux-ledger-e2e/fabric-tools:1",
	"docker.io/library/couchdb":            "localhost/flux-ledger-e2e/couchdb:1",
}

// couchDBControlPort is the stand-in CouchDB's control listener (fabric/main.go).
const couchDBControlPort = 15984

// fabricStandInImages builds the four images: the tools image (busybox, bash) plus
// the stand-in where the real image has the program — orderer, peer and osnadmin in
// /usr/local/bin as Fabric's images install them; the tools image's
// /etc/hyperledger/fabric/core.yaml (the CLI reads it first); CouchDB as
// /opt/couchdb/bin/couchdb with the image's default.d/10-docker-default.ini
// ("bind_address = any", apache/couchdb-docker 3.3.3), a 0777 local.d (its
// Dockerfile), /opt/couchdb/data and curl.
func fabricStandInImages(t *testing.T) []*image {
	t.Helper()
	bin := goBinary(t, "./hack/e2e/kubelet/fabric")
	const standIn = "/usr/local/bin/fabric-stand-in"
	var images []*image
	for rendered, local := range fabricImages {
		im := toolsImage(t, local)
		im.file(standIn, bin, 0o755)
		switch rendered {
		case "docker.io/hyperledger/fabric-orderer":
			im.link("/usr/local/bin/orderer", standIn)
		case "docker.io/hyperledger/fabric-peer":
			im.link("/usr/local/bin/peer", standIn)
		case "docker.io/hyperledger/fabric-tools":
			im.link("/usr/local/bin/peer", standIn)
			im.link("/usr/local/bin/osnadmin", standIn)
			im.file("/etc/hyperledger/fabric/core.yaml", []byte("# stands in for the image's sampleconfig/core.yaml; the Jobs set every peer.* they use\npeer:\n  id: cli\n"), 0o644)
		case "docker.io/library/couchdb":
			im.link("/opt/couchdb/bin/couchdb", standIn)
			im.link("/usr/bin/curl", standIn)
			im.file("/opt/couchdb/etc/default.d/10-docker-default.ini", []byte("[chttpd]\nbind_address = any\n"), 0o644)
			im.dir("/opt/couchdb/etc/local.d", 0o777)
			im.dir("/opt/couchdb/data", 0o755)
			im.entrypoint = []string{"/opt/couchdb/bin/couchdb"}
		}
		images = append(images, im)
	}
	return images
}

// fabricParty is one party of a launched Fabric network as its cluster receives it.
type fabricParty struct {
	name, namespace string
	objects         []*unstructured.Unstructured
	statefulSets    []*appsv1.StatefulSet
	jobs            []*batchv1.Job
	services        []*corev1.Service
}

// launchedFabricNetwork renders the Fabric reference network (examples/fabric) with
// fresh age keys, launches it (the channel Jobs are rendered once block 0 is frozen)
// and returns the repository and each party's age key file.
func launchedFabricNetwork(t *testing.T) (string, map[string]string) {
	t.Helper()
	repo, partyKeys := testenv.FabricRepo(t)
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range result.Network.PartyNames() {
		if _, err := keys.Init(repo, keys.InitOptions{Party: p}); err != nil {
			t.Fatal(err)
		}
	}
	generateRepo := func() {
		if _, err := generator.Generate(generator.Options{Repo: repo}); err != nil {
			t.Fatal(err)
		}
	}
	generateRepo()
	if _, err := launch.Launch(repo); err != nil {
		t.Fatal(err)
	}
	generateRepo()
	files := map[string]string{}
	for p, k := range partyKeys {
		files[p] = k.File
	}
	return repo, files
}

// loadFabricParty builds the party's cluster directory with the stand-in images and
// decrypts its Secrets with the real sops and the party's own age key, as
// kustomize-controller does in its cluster.
func loadFabricParty(t *testing.T, repo, name, ageKey string) *fabricParty {
	t.Helper()
	clusters, _ := filepath.Glob(filepath.Join(repo, "parties", name, "clusters", "*"))
	if len(clusters) != 1 {
		t.Fatalf("party %s: clusters %v", name, clusters)
	}
	secrets := map[string]*unstructured.Unstructured{}
	files, _ := filepath.Glob(filepath.Join(repo, "parties", name, "secrets", "*.yaml"))
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		cmd := exec.Command(testenv.Tool(t, "sops"), "--decrypt", f)
		cmd.Env = append(os.Environ(), "SOPS_AGE_KEY_FILE="+ageKey)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("sops --decrypt %s: %v", f, err)
		}
		for _, obj := range testenv.DecodeObjects(t, out) {
			secrets[obj.GetName()] = obj
		}
	}
	p := &fabricParty{name: name}
	for _, obj := range clusterObjects(t, clusters[0], fabricImages) {
		p.namespace = obj.GetNamespace()
		var typed any
		switch obj.GetKind() {
		case "Secret":
			plain, ok := secrets[obj.GetName()]
			if !ok {
				t.Fatalf("Secret %s: no file in parties/%s/secrets", obj.GetName(), name)
			}
			plain.SetNamespace(obj.GetNamespace())
			plain.SetLabels(obj.GetLabels())
			obj = plain
		case "StatefulSet":
			sts := &appsv1.StatefulSet{}
			p.statefulSets, typed = append(p.statefulSets, sts), sts
		case "Job":
			job := &batchv1.Job{}
			p.jobs, typed = append(p.jobs, job), job
		case "Service":
			svc := &corev1.Service{}
			p.services, typed = append(p.services, svc), svc
		}
		if typed != nil {
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, typed); err != nil {
				t.Fatal(err)
			}
		}
		p.objects = append(p.objects, obj)
	}
	return p
}

// publishServices plays kube-proxy and the cluster DNS, which this node does not
// run: a Service's name (<svc>.<namespace>.svc.cluster.local, what the pods' search
// path completes the Jobs' short names to) resolves to the address of the pod it
// selects. That is only the same as a Service when every port reaches the same port
// number on the pod, which it checks.
func (n *node) publishServices(t *testing.T, namespace string, services []*corev1.Service) {
	t.Helper()
	pods, err := n.Client.CoreV1().Pods(namespace).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range services {
		if len(svc.Spec.Selector) == 0 || svc.Spec.Type == corev1.ServiceTypeLoadBalancer {
			continue
		}
		for _, pod := range pods.Items {
			if pod.Status.PodIP == "" || pod.Labels["batch.kubernetes.io/job-name"] != "" || !selects(svc.Spec.Selector, pod.Labels) {
				continue
			}
			for _, port := range svc.Spec.Ports {
				if target := targetPort(&pod, port.TargetPort); target != port.Port {
					t.Fatalf("Service %s port %d reaches %d on the pod: publishing the pod's address would not be the Service", svc.Name, port.Port, target)
				}
			}
			n.dns.set(svc.Name+"."+namespace+".svc.cluster.local", net.ParseIP(pod.Status.PodIP))
		}
	}
}

func selects(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func targetPort(pod *corev1.Pod, target intstr.IntOrString) int32 {
	if target.Type == intstr.Int {
		return target.IntVal
	}
	for _, c := range pod.Spec.Containers {
		for _, p := range c.Ports {
			if p.Name == target.StrVal {
				return p.ContainerPort
			}
		}
	}
	return -1
}

// podOfJob plays the Job controller, which this node does not run: one pod from the
// Job's template, bound to the node.
func podOfJob(job *batchv1.Job, attempt int) *corev1.Pod {
	pod := &corev1.Pod{ObjectMeta: *job.Spec.Template.ObjectMeta.DeepCopy(), Spec: *job.Spec.Template.Spec.DeepCopy()}
	pod.Name, pod.Namespace = fmt.Sprintf("%s-run%d", job.Name, attempt), job.Namespace
	if pod.Labels == nil {
		pod.Labels = map[string]string{}
	}
	pod.Labels["batch.kubernetes.io/job-name"] = job.Name
	pod.Spec.NodeName = nodeName
	return pod
}

// TestFabricPods runs each party of a launched Fabric network on a real node, the
// Fabric programs and CouchDB replaced by the stand-ins and nothing else changed:
// orderer, peer and CouchDB become Ready through their rendered probes, the channel
// join and chaincode install Jobs run to completion against them and again without
// effect, the containers run as the manifests promise, and a peer whose CouchDB goes
// away goes unready and comes back.
func TestFabricPods(t *testing.T) {
	n := startNode(t)
	n.startDNS(t)
	repo, ageKeys := launchedFabricNetwork(t)
	start := time.Now()
	for _, im := range fabricStandInImages(t) {
		n.importImage(t, im)
	}
	t.Logf("Fabric stand-in images built and imported in %s", time.Since(start).Round(10*time.Millisecond))
	parties := make([]string, 0, len(ageKeys))
	for p := range ageKeys {
		parties = append(parties, p)
	}
	slices.Sort(parties)
	for i, name := range parties {
		t.Run(name, func(t *testing.T) {
			p := loadFabricParty(t, repo, name, ageKeys[name])
			n.runFabricParty(t, p, i == 0)
		})
		if t.Failed() {
			break
		}
	}
}

func (n *node) runFabricParty(t *testing.T, p *fabricParty, deep bool) {
	n.applyObjects(t, p.name, p.namespace, p.objects)
	start := time.Now()
	pods := n.createPods(t, p.statefulSets)
	defer n.deletePods(t, p.name, p.namespace)
	// The startup probes run every 5 s (CouchDB) and 10 s (orderer, peer); the peer
	// waits for CouchDB (125 ms doubling). Measured 15-30 s on 2 cores.
	n.waitPods(t, p.namespace, p.name+" orderer and peer Ready", 120*time.Second, allReady(len(pods)))
	n.Timings[p.name+" pods Ready"] = time.Since(start)
	t.Logf("%d pods Ready after %s", len(pods), time.Since(start).Round(10*time.Millisecond))
	n.publishServices(t, p.namespace, p.services)

	for _, pod := range pods {
		running := n.pod(t, p.namespace, pod.Name)
		n.checkFabricSecurity(t, running)
		// CouchDB binds the loopback (the rendered 20-loopback.ini over the image's
		// "any"): nothing outside the pod reaches it.
		if slices.ContainsFunc(running.Spec.Containers, func(c corev1.Container) bool { return c.Name == "couchdb" }) {
			if conn, err := net.DialTimeout("tcp", net.JoinHostPort(running.Status.PodIP, "5984"), 2*time.Second); err == nil {
				conn.Close()
				t.Errorf("%s: CouchDB answers on the pod's address", pod.Name)
			}
		}
	}

	// The Jobs, run side by side, twice: the second run finds the work done and
	// succeeds. Approve and commit need the other parties' orderers and peers, which
	// run elsewhere; generator/render/fabric/lifecycle runs their scripts against fakes.
	var jobs []*batchv1.Job
	for _, job := range p.jobs {
		for _, prefix := range []string{"join-" + p.name + "-orderer-", "join-" + p.name + "-peer-", "install-"} {
			if strings.HasPrefix(job.Name, prefix) {
				jobs = append(jobs, job)
			}
		}
	}
	if len(jobs) != 3 {
		t.Fatalf("Jobs %d, want the orderer join, the peer join and the install", len(jobs))
	}
	first := n.runJobs(t, jobs, 1)
	second := n.runJobs(t, jobs, 2)
	for i, job := range jobs {
		if !strings.Contains(second[i], "already") {
			t.Errorf("job %s: the second run did not find the work done:\n%s\n(first run:\n%s)", job.Name, second[i], first[i])
		}
	}
	if deep {
		n.checkCouchDBOutage(t, p)
		n.checkImageCoreYAML(t, p)
	}
}

// runJob runs one pod of a Job to completion and returns its log.
// runJobs runs one pod of each Job to completion, side by side, and returns their logs.
func (n *node) runJobs(t *testing.T, jobs []*batchv1.Job, attempt int) []string {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	names := map[string]bool{}
	for _, job := range jobs {
		pod := podOfJob(job, attempt)
		names[pod.Name] = true
		if _, err := n.Client.CoreV1().Pods(job.Namespace).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create pod %s: %v", pod.Name, err)
		}
	}
	namespace := jobs[0].Namespace
	n.waitPods(t, namespace, fmt.Sprintf("run %d of the Jobs Succeeded", attempt), 90*time.Second, func(list []corev1.Pod) error {
		var waiting []string
		for _, p := range list {
			if !names[p.Name] {
				continue
			}
			switch p.Status.Phase {
			case corev1.PodSucceeded:
			case corev1.PodFailed:
				t.Fatalf("job pod %s failed: %s", p.Name, podSummary(&p))
			default:
				waiting = append(waiting, p.Name+": "+podSummary(&p))
			}
		}
		if len(waiting) > 0 {
			return fmt.Errorf("%s", strings.Join(waiting, "; "))
		}
		return nil
	})
	var logs []string
	for _, job := range jobs {
		pod := podOfJob(job, attempt)
		log, err := n.Client.CoreV1().Pods(namespace).GetLogs(pod.Name, &corev1.PodLogOptions{}).DoRaw(ctx)
		if err != nil {
			t.Fatal(err)
		}
		logs = append(logs, string(log))
		t.Logf("job %s run %d: %s", job.Name, attempt, strings.TrimSpace(lastLine(string(log))))
	}
	t.Logf("run %d of %d Jobs succeeded in %s", attempt, len(jobs), time.Since(start).Round(10*time.Millisecond))
	return logs
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// checkFabricSecurity execs into every container: the uid, gid and groups of its
// effective security context, no capabilities, seccomp filtering, a read-only root
// filesystem, and the private keys mounted (MSP keystore, TLS key) at mode 0440.
func (n *node) checkFabricSecurity(t *testing.T, pod *corev1.Pod) {
	t.Helper()
	for _, c := range pod.Spec.Containers {
		uid, gid := *pod.Spec.SecurityContext.RunAsUser, *pod.Spec.SecurityContext.RunAsGroup
		if sc := c.SecurityContext; sc != nil && sc.RunAsUser != nil {
			uid = *sc.RunAsUser
		}
		if sc := c.SecurityContext; sc != nil && sc.RunAsGroup != nil {
			gid = *sc.RunAsGroup
		}
		script := `id -u; id -g; id -G; grep -E '^(CapEff|Seccomp):' /proc/self/status | tr -d '\t' | tr '\n' ' '; echo;
if touch /root-write-test 2>/dev/null; then echo rootfs=writable; else echo rootfs=read-only; fi
for f in /var/hyperledger/crypto/msp/keystore/key.pem /var/hyperledger/crypto/tls/server.key; do [ -e $f ] && stat -L -c "$f=%a" $f; done; true`
		out, err := n.exec(t, pod.Namespace, pod.Name, c.Name, "/bin/bash", "-c", script)
		if err != nil {
			t.Errorf("%s/%s: exec: %v", pod.Name, c.Name, err)
			continue
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) < 5 {
			t.Errorf("%s/%s: exec printed %q", pod.Name, c.Name, out)
			continue
		}
		groups := strings.Fields(lines[2])
		fsGroup := fmt.Sprint(*pod.Spec.SecurityContext.FSGroup)
		if lines[0] != fmt.Sprint(uid) || lines[1] != fmt.Sprint(gid) || !slices.Contains(groups, fsGroup) ||
			strings.TrimSpace(lines[3]) != "CapEff:0000000000000000 Seccomp:2" || lines[4] != "rootfs=read-only" {
			t.Errorf("%s/%s: uid, gid, groups, capabilities, root: %q; want %d, %d, with %s, none, seccomp 2, read-only", pod.Name, c.Name, lines[:5], uid, gid, fsGroup)
		}
		mountsCrypto := slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == "/var/hyperledger/crypto" })
		keys := lines[5:]
		if mountsCrypto && (len(keys) != 2 || !strings.HasSuffix(keys[0], "=440") || !strings.HasSuffix(keys[1], "=440")) {
			t.Errorf("%s/%s: key files %q, want both at 440", pod.Name, c.Name, keys)
		}
		if !mountsCrypto && len(keys) != 0 {
			t.Errorf("%s/%s: key files %q in a container that mounts none", pod.Name, c.Name, keys)
		}
	}
}

// checkCouchDBOutage takes a peer's CouchDB away: CouchDB's exec probe (curl) and
// the peer's /healthz (Fabric's couchdb check) fail and the pod goes unready; with
// CouchDB back it is Ready again.
func (n *node) checkCouchDBOutage(t *testing.T, p *fabricParty) {
	t.Helper()
	var peerPod *corev1.Pod
	for _, sts := range p.statefulSets {
		if sts.Spec.Template.Labels["ledger.flux-ledger.dev/role"] == "peer" {
			peerPod = n.pod(t, p.namespace, sts.Name+"-0")
		}
	}
	if peerPod == nil {
		t.Fatal("no peer")
	}
	couchControl := func(action string) {
		client := &http.Client{Timeout: 5 * time.Second}
		resp, err := client.Post(fmt.Sprintf("http://%s:%d/%s", peerPod.Status.PodIP, couchDBControlPort, action), "", nil)
		if err != nil {
			t.Fatalf("CouchDB %s: %v", action, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("CouchDB %s: %s", action, resp.Status)
		}
	}
	start := time.Now()
	couchControl("stop")
	// readiness: 3 failures 10 s apart, for both containers.
	n.waitPods(t, p.namespace, peerPod.Name+" unready", 60*time.Second, func(list []corev1.Pod) error {
		for _, pod := range list {
			if pod.Name == peerPod.Name && !podReady(&pod) {
				return nil
			}
		}
		return fmt.Errorf("%s still Ready", peerPod.Name)
	})
	unready := time.Since(start)
	couchControl("start")
	n.waitPods(t, p.namespace, peerPod.Name+" Ready again", 60*time.Second, func(list []corev1.Pod) error {
		for _, pod := range list {
			if pod.Name == peerPod.Name && podReady(&pod) {
				return nil
			}
		}
		return fmt.Errorf("%s not Ready", peerPod.Name)
	})
	events, _ := n.Client.CoreV1().Events(p.namespace).List(context.Background(), metav1.ListOptions{FieldSelector: "involvedObject.name=" + peerPod.Name})
	var healthz503 bool
	for _, e := range events.Items {
		healthz503 = healthz503 || strings.Contains(e.Message, "statuscode: 503")
	}
	if !healthz503 {
		t.Errorf("no probe of %s saw /healthz answer 503 while CouchDB was away", peerPod.Name)
	}
	n.Timings["CouchDB away to peer unready"] = unready
	t.Logf("%s unready %s after its CouchDB went away; Ready again %s after", peerPod.Name, unready.Round(100*time.Millisecond), (time.Since(start) - unready).Round(100*time.Millisecond))
}

// checkImageCoreYAML runs the peer as it would run with the image's own core.yaml,
// whose vm.endpoint is unix:///var/run/docker.sock (sampleconfig/core.yaml): Fabric
// then checks a Docker daemon the pod has not got, /healthz is 503 and the peer never
// becomes Ready. The rendered core.yaml leaves vm.endpoint out.
func (n *node) checkImageCoreYAML(t *testing.T, p *fabricParty) {
	t.Helper()
	var pod *corev1.Pod
	for _, sts := range p.statefulSets {
		if sts.Spec.Template.Labels["ledger.flux-ledger.dev/role"] == "peer" {
			pod = podsOf(sts)[0]
		}
	}
	pod.Name += "-image-core"
	pod.Labels["ledger.flux-ledger.dev/node"] = pod.Name // out of the Services' way
	for i := range pod.Spec.Containers {
		if pod.Spec.Containers[i].Name == "peer" {
			pod.Spec.Containers[i].Env = append(pod.Spec.Containers[i].Env, corev1.EnvVar{Name: "CORE_VM_ENDPOINT", Value: "unix:///var/run/docker.sock"})
		}
	}
	ctx := context.Background()
	if _, err := n.Client.CoreV1().Pods(p.namespace).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	testenv.Eventually(t, pod.Name+" startup probe sees 503", 60*time.Second, func() error {
		events, err := n.Client.CoreV1().Events(p.namespace).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.name=" + pod.Name})
		if err != nil {
			return err
		}
		for _, e := range events.Items {
			if strings.Contains(e.Message, "Startup probe failed: HTTP probe failed with statuscode: 503") {
				return nil
			}
		}
		return fmt.Errorf("no failed startup probe yet")
	})
	if running := n.pod(t, p.namespace, pod.Name); podReady(running) {
		t.Errorf("%s is Ready with a Docker endpoint and no Docker daemon", pod.Name)
	}
	t.Logf("%s: startup probe saw /healthz 503 after %s", pod.Name, time.Since(start).Round(100*time.Millisecond))
	grace := int64(1)
	if err := n.Client.CoreV1().Pods(p.namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: &grace}); err != nil {
		t.Fatal(err)
	}
}
