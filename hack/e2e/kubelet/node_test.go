//go:build e2e

// Package kubelet runs rendered pods for real: one node made of Debian's containerd
// and runc, a real kubelet (k8s.io/kubernetes, pinned in hack/tools/kubelet), a real
// kube-apiserver with the Node authorizer and NodeRestriction, and etcd, all under one
// test directory, with images built locally (no registry). What containerd and the
// kubelet need here that is not a default is encoded below (a VM without
// CAP_SYS_RESOURCE, cgroup v1, no systemd, no loopback node IP), and so is the order a
// node must be torn down in, since containerd and the kubelet keep some state at fixed
// host paths.
//
// It runs as root (containerd, runc and the kubelet need it); elsewhere it skips.
// Everything listens on 127.0.0.1 or on the address of a private bridge that exists
// for the test's duration; nothing is routed off the host.
package kubelet

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

const nodeName = "e2e-node"

// hostPaths are where containerd, runc, CNI and the kubelet keep state at paths no
// configuration moves. Their entries that appear during the test are removed at
// teardown, and none may remain.
var hostPaths = []string{
	"/var/log/containers", "/var/log/pods", "/var/lib/cni", "/run/containerd",
	"/var/lib/kubelet", "/var/lib/containerd", "/opt/containerd", "/run/netns",
}

// proc is a process the node started.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// stop sends SIGTERM to the process group, then SIGKILL after grace.
func (p *proc) stop(grace time.Duration) {
	if p == nil {
		return
	}
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// node is the running node and its control plane.
type node struct {
	t        *testing.T
	dir      string // everything lives here; short, unix socket paths are limited
	socket   string // containerd's
	bridge   string
	network  string // the CNI network's name
	subnet   *net.IPNet
	ip       net.IP // the bridge's address: node IP and kubelet address
	cniBin   string
	before   map[string]bool // entries of hostPaths before the test
	forward  []byte          // net.ipv4.ip_forward before the test (the bridge plugin sets it)
	procs    map[string]*proc
	Client   *kubernetes.Clientset
	Config   *rest.Config
	cri      runtimeapi.RuntimeServiceClient
	criConn  *grpc.ClientConn
	dns      *dnsServer
	teardown sync.Once
	Timings  map[string]time.Duration
}

// startNode brings a node up and waits until it is Ready. Teardown runs at the end
// of the test, on failure too, and on SIGINT/SIGTERM; it then asserts nothing is left.
func startNode(t *testing.T) *node {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("FLUX_LEDGER_REQUIRE_TOOLS") == "1" {
			t.Fatal("the kubelet test needs root (containerd, runc, the kubelet)")
		}
		t.Skip("the kubelet test needs root (containerd, runc, the kubelet)")
	}
	start := time.Now()
	n := &node{t: t, procs: map[string]*proc{}, Timings: map[string]time.Duration{}}
	for _, tool := range []string{"etcd", "kube-apiserver", "kubelet", "containerd", "containerd-shim-runc-v2", "runc", "ctr", "cni-bridge"} {
		testenv.Tool(t, tool)
	}
	n.preflight()
	dir, err := os.MkdirTemp("", "flk-node-")
	if err != nil {
		t.Fatal(err)
	}
	n.dir = dir
	n.before = snapshot(hostPaths)
	n.forward, _ = os.ReadFile("/proc/sys/net/ipv4/ip_forward")

	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, syscall.SIGINT, syscall.SIGTERM)
	stopWatch := make(chan struct{})
	go func() {
		select {
		case s := <-interrupted:
			fmt.Fprintf(os.Stderr, "kubelet e2e: %v: tearing the node down\n", s)
			n.down()
			if left := n.leftovers(); len(left) > 0 {
				fmt.Fprintf(os.Stderr, "kubelet e2e: the node left behind: %s\n", strings.Join(left, "; "))
			}
			os.Exit(1)
		case <-stopWatch:
		}
	}()
	t.Cleanup(func() {
		close(stopWatch)
		signal.Stop(interrupted)
		if t.Failed() {
			for _, name := range []string{"containerd", "kube-apiserver", "kubelet"} {
				if p := n.procs[name]; p != nil {
					t.Logf("last output of %s:\n%s", name, tail(p.log, 6000))
				}
			}
		}
		n.down()
		if left := n.leftovers(); len(left) > 0 {
			t.Errorf("the node left behind: %s", strings.Join(left, "; "))
		}
		t.Logf("node teardown: %s", n.Timings["teardown"].Round(10*time.Millisecond))
	})

	n.makeBridge()
	pki := n.makePKI()
	n.startContainerd()
	n.startControlPlane(pki)
	n.startKubelet(pki)
	n.Timings["node Ready"] = time.Since(start)
	t.Logf("node Ready after %s", n.Timings["node Ready"].Round(10*time.Millisecond))
	return n
}

// preflight refuses to run beside another kubelet or a previous run's leftovers:
// the cgroup names and host paths involved are fixed.
func (n *node) preflight() {
	if left := kubepodsCgroups(); len(left) > 0 {
		n.t.Fatalf("kubepods cgroups exist (another kubelet, or a run killed before its teardown): %v", left)
	}
}

func (n *node) path(elem ...string) string {
	return filepath.Join(append([]string{n.dir}, elem...)...)
}

func (n *node) write(name, content string, mode os.FileMode) string {
	n.t.Helper()
	path := n.path(name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		n.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		n.t.Fatal(err)
	}
	return path
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// makeBridge creates the private bridge whose address is the node's IP (the kubelet
// refuses a loopback one) and whose /24 the pods get addresses from.
func (n *node) makeBridge() {
	var b [2]byte
	rand.Read(b[:])
	n.bridge = "flk" + hex.EncodeToString(b[:])
	n.network = "flk-" + hex.EncodeToString(b[:])
	used := routes()
	for third := int(b[0]); ; third = (third + 1) % 256 {
		_, subnet, _ := net.ParseCIDR(fmt.Sprintf("10.213.%d.0/24", third))
		if !overlaps(subnet, used) {
			n.subnet = subnet
			break
		}
	}
	n.ip = net.IPv4(n.subnet.IP[0], n.subnet.IP[1], n.subnet.IP[2], 1).To4()
	run(n.t, "ip", "link", "add", n.bridge, "type", "bridge")
	run(n.t, "ip", "addr", "add", n.ip.String()+"/24", "dev", n.bridge)
	run(n.t, "ip", "link", "set", n.bridge, "up")
}

func routes() []*net.IPNet {
	var nets []*net.IPNet
	ifaces, _ := net.Interfaces()
	for _, i := range ifaces {
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok {
				nets = append(nets, ipn)
			}
		}
	}
	return nets
}

func overlaps(a *net.IPNet, others []*net.IPNet) bool {
	for _, b := range others {
		if a.Contains(b.IP) || b.Contains(a.IP) {
			return true
		}
	}
	return false
}

// pki is the node's certificate authority and the certificates signed by it.
type pki struct {
	ca                         string
	kubeletClient, kubeletKey  string // the kubelet to the API server: system:node:<name>
	apiClient, apiKey          string // the API server to the kubelet (exec, logs)
	kubeletServe, kubeletServK string
}

func (n *node) makePKI() pki {
	n.t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "flux-ledger e2e node CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		n.t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	var p pki
	p.ca = n.write("pki/ca.crt", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})), 0o644)
	serial := int64(2)
	issue := func(name string, subject pkix.Name, usage x509.ExtKeyUsage, ips []net.IP) (string, string) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: subject,
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: ips,
		}
		serial++
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			n.t.Fatal(err)
		}
		keyDER, _ := x509.MarshalECPrivateKey(key)
		return n.write("pki/"+name+".crt", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), 0o644),
			n.write("pki/"+name+".key", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})), 0o600)
	}
	p.kubeletClient, p.kubeletKey = issue("kubelet-client", pkix.Name{CommonName: "system:node:" + nodeName, Organization: []string{"system:nodes"}}, x509.ExtKeyUsageClientAuth, nil)
	p.apiClient, p.apiKey = issue("apiserver-kubelet-client", pkix.Name{CommonName: "kube-apiserver-kubelet-client", Organization: []string{"system:masters"}}, x509.ExtKeyUsageClientAuth, nil)
	p.kubeletServe, p.kubeletServK = issue("kubelet-serving", pkix.Name{CommonName: nodeName}, x509.ExtKeyUsageServerAuth, []net.IP{n.ip})
	return p
}

// start runs a program of bin/ in its own process group, output in the node's logs,
// killed with the test process.
func (n *node) start(name string, args ...string) *proc {
	n.t.Helper()
	log := n.path("logs", name+".log")
	os.MkdirAll(filepath.Dir(log), 0o755)
	f, err := os.Create(log)
	if err != nil {
		n.t.Fatal(err)
	}
	cmd := exec.Command(testenv.Tool(n.t, name), args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), "PATH="+filepath.Join(testenv.RepoRoot(n.t), "bin")+":"+os.Getenv("PATH"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		n.t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	go func() { cmd.Wait(); f.Close(); close(p.done) }()
	n.procs[name] = p
	return p
}

// alive fails the wait at once when a program of the node has exited.
func (n *node) alive(names ...string) error {
	for _, name := range names {
		select {
		case <-n.procs[name].done:
			return fmt.Errorf("%s exited: %s", name, tail(n.procs[name].log, 2000))
		default:
		}
	}
	return nil
}

func tail(path string, max int) string {
	data, _ := os.ReadFile(path)
	if len(data) > max {
		data = data[len(data)-max:]
	}
	return string(data)
}

// startContainerd runs Debian's containerd with all its state under the test
// directory; restrict_oom_score_adj because this VM lacks CAP_SYS_RESOURCE (runc
// fails every sandbox without it), the pause image built here as the sandbox image.
func (n *node) startContainerd() {
	n.t.Helper()
	n.socket = n.path("containerd.sock")
	bridge, err := filepath.EvalSymlinks(testenv.Tool(n.t, "cni-bridge"))
	if err != nil {
		n.t.Fatal(err)
	}
	n.cniBin = filepath.Dir(bridge)
	n.write("cni/net.d/10-"+n.network+".conflist", fmt.Sprintf(`{
  "cniVersion": "1.0.0",
  "name": %q,
  "plugins": [
    {"type": "bridge", "bridge": %q, "isGateway": true, "ipMasq": false,
     "ipam": {"type": "host-local", "dataDir": %q, "ranges": [[{"subnet": %q, "gateway": %q}]], "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
`, n.network, n.bridge, n.path("cni/ipam"), n.subnet.String(), n.ip.String()), 0o644)
	config := n.write("containerd.toml", fmt.Sprintf(`version = 2
root = %q
state = %q
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = %q

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "localhost/flux-ledger-e2e/pause:1"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  enable_selinux = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = %q
    conf_dir = %q
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = %q
        Root = %q
`, n.path("containerd/root"), n.path("containerd/state"), n.socket, n.cniBin, n.path("cni/net.d"),
		testenv.Tool(n.t, "runc"), n.path("runc")), 0o644)
	n.start("containerd", "--config", config, "--log-level", "warn")
	testenv.Eventually(n.t, "containerd", 30*time.Second, func() error {
		if err := n.alive("containerd"); err != nil {
			return err
		}
		if n.criConn == nil {
			conn, err := grpc.NewClient("unix://"+n.socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				return err
			}
			n.criConn, n.cri = conn, runtimeapi.NewRuntimeServiceClient(conn)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err := n.cri.Version(ctx, &runtimeapi.VersionRequest{})
		return err
	})
	n.importImage(n.t, pauseImage(n.t))
}

// startControlPlane runs etcd and a kube-apiserver with the Node authorizer,
// NodeRestriction, client certificates signed by the node's CA, and a client
// certificate of its own for the kubelet's API (exec, logs).
func (n *node) startControlPlane(p pki) {
	n.t.Helper()
	etcdClient, etcdPeer := testenv.FreePort(n.t), testenv.FreePort(n.t)
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", etcdClient)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", etcdPeer)
	n.start("etcd", "--data-dir", n.path("etcd"),
		"--listen-client-urls", etcdURL, "--advertise-client-urls", etcdURL,
		"--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "default="+peerURL, "--unsafe-no-fsync", "--log-level", "warn",
		"--listen-metrics-urls", fmt.Sprintf("http://127.0.0.1:%d", testenv.FreePort(n.t)))

	token := "admin-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	tokens := n.write("apiserver/tokens.csv", token+",admin,admin,system:masters\n", 0o600)
	saKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	saDER, _ := x509.MarshalECPrivateKey(saKey)
	saFile := n.write("apiserver/sa.key", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: saDER})), 0o600)
	port := testenv.FreePort(n.t)
	n.start("kube-apiserver",
		"--etcd-servers", etcdURL, "--etcd-prefix", "/e2e-node",
		"--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1",
		"--secure-port", strconv.Itoa(port), "--cert-dir", n.path("apiserver/certs"),
		"--token-auth-file", tokens, "--client-ca-file", p.ca,
		"--authorization-mode", "Node,RBAC",
		"--enable-admission-plugins", "NodeRestriction", "--disable-admission-plugins", "ServiceAccount",
		"--kubelet-client-certificate", p.apiClient, "--kubelet-client-key", p.apiKey,
		"--kubelet-certificate-authority", p.ca, "--kubelet-preferred-address-types", "InternalIP",
		"--service-account-issuer", "https://kubernetes.default.svc",
		"--service-account-key-file", saFile, "--service-account-signing-key-file", saFile,
		"--service-cluster-ip-range", "10.0.0.0/24",
		"--endpoint-reconciler-type", "none", // its only address is loopback, which Endpoints refuse
		"--enable-priority-and-fairness=false", "--v", "1")
	n.Config = &rest.Config{
		Host: fmt.Sprintf("https://127.0.0.1:%d", port), BearerToken: token,
		TLSClientConfig: rest.TLSClientConfig{Insecure: true}, // self-signed, loopback only
		QPS:             50, Burst: 100,
	}
	var err error
	if n.Client, err = kubernetes.NewForConfig(n.Config); err != nil {
		n.t.Fatal(err)
	}
	testenv.Eventually(n.t, "kube-apiserver", 90*time.Second, func() error {
		if err := n.alive("etcd", "kube-apiserver"); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		body, err := n.Client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			return fmt.Errorf("%w: %s", err, body)
		}
		return nil
	})
	n.write("kubelet/kubeconfig", fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster: {server: %q, insecure-skip-tls-verify: true}
users:
- name: kubelet
  user: {client-certificate: %q, client-key: %q}
contexts:
- name: e2e
  context: {cluster: e2e, user: kubelet}
current-context: e2e
`, n.Config.Host, p.kubeletClient, p.kubeletKey), 0o600)
}

// startKubelet runs the kubelet against containerd and the API server and waits until
// its node is Ready (which needs the CNI network).
func (n *node) startKubelet(p pki) {
	n.t.Helper()
	config := n.write("kubelet/config.yaml", fmt.Sprintf(`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: %q
port: %d
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: %d
tlsCertFile: %q
tlsPrivateKeyFile: %q
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: %q}
authorization: {mode: AlwaysAllow}
containerRuntimeEndpoint: %q
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
podLogsDir: %q
volumePluginDir: %q
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "50Mi", nodefs.available: "1%%", nodefs.inodesFree: "1%%", imagefs.available: "1%%"}
registerNode: true
maxPods: 30
syncFrequency: 10s
clusterDNS: [%q]
clusterDomain: cluster.local
resolvConf: ""
`, n.ip.String(), testenv.FreePort(n.t), testenv.FreePort(n.t), p.kubeletServe, p.kubeletServK, p.ca,
		"unix://"+n.socket, n.path("kubelet/pod-logs"), n.path("kubelet/volume-plugins"), n.ip.String()), 0o644)
	n.start("kubelet", "--config", config, "--kubeconfig", n.path("kubelet/kubeconfig"),
		"--root-dir", n.path("kubelet/root"), "--cert-dir", n.path("kubelet/pki"),
		"--hostname-override", nodeName, "--node-ip", n.ip.String(), "--v", "2")
	testenv.Eventually(n.t, "node Ready", 60*time.Second, func() error {
		if err := n.alive("kubelet", "containerd", "kube-apiserver"); err != nil {
			return err
		}
		node, err := n.Client.CoreV1().Nodes().Get(context.Background(), nodeName, metav1.GetOptions{})
		if err != nil {
			return err
		}
		for _, c := range node.Status.Conditions {
			if c.Type == corev1.NodeReady {
				if c.Status == corev1.ConditionTrue {
					return nil
				}
				return fmt.Errorf("Ready=%s: %s", c.Status, c.Message)
			}
		}
		return errors.New("no Ready condition yet")
	})
}

// down tears the node down in the order its parts depend on each other: the kubelet
// (so nothing restarts pods), the pod sandboxes through CRI (CNI DEL, the network
// namespaces), the control plane, containerd, shims of this socket left running,
// mounts under the test directory, the kubepods cgroups, the bridge, and finally the
// entries of the fixed host paths that appeared during the test.
func (n *node) down() {
	n.teardown.Do(func() {
		start := time.Now()
		n.procs["kubelet"].stop(20 * time.Second)
		if n.cri != nil {
			n.removeSandboxes()
			n.criConn.Close()
		}
		n.procs["kube-apiserver"].stop(15 * time.Second)
		n.procs["etcd"].stop(10 * time.Second)
		n.procs["containerd"].stop(15 * time.Second)
		for _, pid := range n.shims() {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		waitGone(n.shims, 10*time.Second)
		n.unmount()
		removeCgroups(kubepodsCgroups())
		if n.bridge != "" {
			exec.Command("ip", "link", "del", n.bridge).Run()
		}
		n.cleanHostPaths()
		if n.forward != nil {
			os.WriteFile("/proc/sys/net/ipv4/ip_forward", n.forward, 0o644)
		}
		if n.dir != "" && len(n.mounts()) == 0 {
			os.RemoveAll(n.dir)
		}
		n.Timings["teardown"] = time.Since(start)
	})
}

func (n *node) removeSandboxes() {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	list, err := n.cri.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		n.t.Logf("teardown: list pod sandboxes: %v", err)
		return
	}
	for _, s := range list.Items {
		if _, err := n.cri.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: s.Id}); err != nil {
			n.t.Logf("teardown: stop sandbox %s: %v", s.Metadata.GetName(), err)
		}
		if _, err := n.cri.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: s.Id}); err != nil {
			n.t.Logf("teardown: remove sandbox %s: %v", s.Metadata.GetName(), err)
		}
	}
}

// shims are the containerd-shim processes serving this node's containerd.
func (n *node) shims() []int {
	if n.socket == "" {
		return nil
	}
	return processes(func(cmdline string) bool {
		return strings.Contains(cmdline, "containerd-shim") && strings.Contains(cmdline, n.socket)
	})
}

// processes lists the pids whose command line (NUL-separated arguments joined with
// spaces) matches.
func processes(match func(cmdline string) bool) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || len(data) == 0 {
			continue
		}
		if match(strings.ReplaceAll(string(data), "\x00", " ")) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func waitGone(list func() []int, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for len(list()) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
}

// mounts lists the mount points under the test directory and under the host paths,
// deepest first.
func (n *node) mounts() []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var points []string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 5 {
			continue
		}
		point := unescapeMount(fields[4])
		if n.dir != "" && under(point, n.dir) {
			points = append(points, point)
			continue
		}
		for _, h := range hostPaths {
			if under(point, h) && !n.before[point] {
				points = append(points, point)
			}
		}
	}
	sort.Slice(points, func(i, j int) bool { return len(points[i]) > len(points[j]) })
	return points
}

func unescapeMount(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func under(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

func (n *node) unmount() {
	for i := 0; i < 3; i++ {
		points := n.mounts()
		if len(points) == 0 {
			return
		}
		for _, p := range points {
			syscall.Unmount(p, syscall.MNT_DETACH)
		}
	}
}

// kubepodsCgroups are the kubelet's cgroups (cgroupfs driver) in every hierarchy.
func kubepodsCgroups() []string {
	found, _ := filepath.Glob("/sys/fs/cgroup/*/kubepods*")
	unified, _ := filepath.Glob("/sys/fs/cgroup/kubepods*")
	return append(found, unified...)
}

// removeCgroups removes cgroup directories depth-first (rmdir, as cgroupfs wants).
func removeCgroups(roots []string) {
	for _, root := range roots {
		var dirs []string
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, path)
			}
			return nil
		})
		for i := len(dirs) - 1; i >= 0; i-- {
			syscall.Rmdir(dirs[i])
		}
	}
}

// snapshot records every entry under the given paths.
func snapshot(roots []string) map[string]bool {
	seen := map[string]bool{}
	for _, root := range roots {
		for dir := root; dir != "/"; dir = filepath.Dir(dir) {
			if _, err := os.Lstat(dir); err == nil {
				seen[dir] = true
			}
		}
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil {
				seen[path] = true
			}
			return nil
		})
	}
	return seen
}

// newEntries are the entries under the host paths that were not there before,
// deepest first.
func (n *node) newEntries() []string {
	var added []string
	for path := range snapshot(hostPaths) {
		if !n.before[path] {
			added = append(added, path)
		}
	}
	sort.Slice(added, func(i, j int) bool { return len(added[i]) > len(added[j]) })
	return added
}

// cleanHostPaths removes what appeared under the fixed host paths, one entry at a
// time (never a recursive removal: a missed mount must not take anything with it).
func (n *node) cleanHostPaths() {
	if len(n.mounts()) > 0 {
		return
	}
	for _, path := range n.newEntries() {
		os.Remove(path)
	}
}

// leftovers lists what the node left behind after its teardown.
func (n *node) leftovers() []string {
	var left []string
	if pids := processes(func(cmdline string) bool {
		return n.dir != "" && strings.Contains(cmdline, n.dir)
	}); len(pids) > 0 {
		left = append(left, fmt.Sprintf("processes %v", pids))
	}
	if m := n.mounts(); len(m) > 0 {
		left = append(left, fmt.Sprintf("mounts %v", m))
	}
	if n.bridge != "" {
		if _, err := net.InterfaceByName(n.bridge); err == nil {
			left = append(left, "bridge "+n.bridge)
		}
	}
	if c := kubepodsCgroups(); len(c) > 0 {
		left = append(left, fmt.Sprintf("cgroups %v", c))
	}
	if e := n.newEntries(); len(e) > 0 {
		left = append(left, fmt.Sprintf("host path entries %v", e))
	}
	if n.dir != "" {
		if _, err := os.Lstat(n.dir); err == nil {
			left = append(left, "directory "+n.dir)
		}
	}
	return left
}

// listeners lists the TCP sockets listening and the UDP sockets bound by the node's
// programs (host network namespace), as "program address:port".
func (n *node) listeners() []string {
	owner := map[string]string{} // socket inode → program
	for name, p := range n.procs {
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", p.cmd.Process.Pid))
		for _, fd := range fds {
			link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", p.cmd.Process.Pid, fd.Name()))
			if err == nil && strings.HasPrefix(link, "socket:[") {
				owner[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = name
			}
		}
	}
	var out []string
	for _, table := range []string{"tcp", "tcp6", "udp", "udp6"} {
		data, err := os.ReadFile("/proc/net/" + table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 || owner[f[9]] == "" {
				continue
			}
			if strings.HasPrefix(table, "tcp") && f[3] != "0A" { // TCP_LISTEN
				continue
			}
			out = append(out, owner[f[9]]+" "+procNetAddress(f[1]))
		}
	}
	sort.Strings(out)
	return out
}

// procNetAddress decodes /proc/net/tcp's "0100007F:1F90" (little-endian words).
func procNetAddress(s string) string {
	hexIP, hexPort, _ := strings.Cut(s, ":")
	raw, _ := hex.DecodeString(hexIP)
	for i := 0; i+4 <= len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	port, _ := strconv.ParseUint(hexPort, 16, 16)
	return net.JoinHostPort(net.IP(raw).String(), strconv.FormatUint(port, 10))
}
