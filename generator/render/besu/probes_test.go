package besu

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/ethereum/go-ethereum/common"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv/besurpc"
)

// Every node gets a startupProbe on its p2p port long enough for RocksDB to open a large
// database (Besu listens on p2p only after its storage is open, and after its JSON-RPC
// service: Besu 24.12.2 besu/.../Runner.java startExternalServices runs before
// startEthereumMainLoop, BesuCommand.java), so the liveness probe cannot kill a node
// that is still starting. RPC nodes use Besu's own health endpoints
// (Besu 24.12.2 ethereum/api/.../jsonrpc/health/HealthService.java LIVENESS_PATH
// "/liveness", READINESS_PATH "/readiness"; ReadinessCheck.java reads "minPeers"), the
// others run ready.sh, which asks the same /readiness on their loopback JSON-RPC server:
// a node with zero peers is never ready.
func TestProbes(t *testing.T) {
	network := reference(t)
	for name, r := range renderNodes(t, network) {
		besu := container(t, r.sts, "besu")
		startup := besu.StartupProbe
		if startup == nil || startup.TCPSocket == nil || startup.TCPSocket.Port.String() != "p2p-tcp" {
			t.Errorf("%s: startupProbe %+v", name, startup)
			continue
		}
		if budget := startup.PeriodSeconds * startup.FailureThreshold; budget < 15*60 {
			t.Errorf("%s: startup budget %d s < 15 min", name, budget)
		}
		if besu.LivenessProbe == nil || besu.ReadinessProbe == nil {
			t.Fatalf("%s: probes missing", name)
		}
		if network.Nodes[name].Role == model.RoleRPC {
			if g := besu.ReadinessProbe.HTTPGet; g == nil || g.Path != "/readiness?minPeers=1" || g.Port.String() != "rpc" {
				t.Errorf("%s: readiness %+v", name, besu.ReadinessProbe)
			}
			if g := besu.LivenessProbe.HTTPGet; g == nil || g.Path != "/liveness" {
				t.Errorf("%s: liveness %+v", name, besu.LivenessProbe)
			}
			continue
		}
		if e := besu.ReadinessProbe.Exec; e == nil || len(e.Command) != 2 || e.Command[1] != scriptsPath+"/"+readyScript {
			t.Errorf("%s: readiness %+v", name, besu.ReadinessProbe)
		}
		// Liveness is Besu's /liveness through live.sh, not a TCP check on p2p.
		live := besu.LivenessProbe
		if e := live.Exec; e == nil || !slices.Equal(e.Command, []string{"/bin/bash", scriptsPath + "/" + liveScript}) || live.TCPSocket != nil {
			t.Errorf("%s: liveness %+v", name, live)
		}
		if live.TimeoutSeconds < 5 || live.PeriodSeconds*live.FailureThreshold < 60 {
			t.Errorf("%s: liveness gives up after %d×%d s (timeout %d s)", name, live.FailureThreshold, live.PeriodSeconds, live.TimeoutSeconds)
		}
		env := map[string]string{}
		for _, e := range besu.Env {
			env[e.Name] = e.Value
		}
		if env["ADMIN_PORT"] != strconv.Itoa(network.Nodes[name].Ports.RPC) {
			t.Errorf("%s: the probes' ADMIN_PORT is %q", name, env["ADMIN_PORT"])
		}
		if !slices.ContainsFunc(besu.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == "scripts" && m.MountPath == scriptsPath }) {
			t.Errorf("%s: the besu container does not mount the scripts", name)
		}
	}
}

// live.sh succeeds exactly when Besu's /liveness answers 200 (Besu 24.12.2
// ethereum/api/.../jsonrpc/health/LivenessCheck.java: always, while the JSON-RPC
// service answers; HealthService.java frames it by length): it fails when nothing
// answers, and on any other status.
func TestLiveProbeAsksBesuLiveness(t *testing.T) {
	validator := common.HexToAddress("0x" + strings.Repeat("1", 40))
	node := besurpc.NewChain(besurpc.QBFT, 30000, []common.Address{validator}).AddNode(t, validator)
	if out, err := runScript(t, liveScript, "ADMIN_PORT="+node.Port()); err != nil {
		t.Errorf("not live while Besu answers 200: %v\n%s", err, out)
	}
	down := "{\n  \"status\" : \"DOWN\"\n}"
	port := rawServer(t, "HTTP/1.1 503 Service Unavailable\r\ncontent-length: "+strconv.Itoa(len(down))+"\r\n\r\n"+down, false)
	if out, err := runScript(t, liveScript, "ADMIN_PORT="+port); err == nil {
		t.Errorf("live while /liveness answers 503\n%s", out)
	}
	port = rawServer(t, "HTTP/1.1 200 OK\r\ncontent-length: 50\r\n\r\n", true)
	if out, err := runScript(t, liveScript, "ADMIN_PORT="+port); err == nil {
		t.Errorf("live while Besu sends headers and hangs\n%s", out)
	}
	node.Stop()
	if out, err := runScript(t, liveScript, "ADMIN_PORT="+node.Port()); err == nil {
		t.Errorf("live while nothing listens\n%s", out)
	}
}

// The key Secret's files belong to root with the pod's fsGroup as group (k8s.io/api
// core/v1 types.go PodSecurityContext.FSGroup: "the owning GID will be the FSGroup");
// the besu user (uid 1000, docker/Dockerfile) reads its key through the group bit, so
// the mode says so explicitly (0440) and the fsGroup is the besu group.
func TestKeyReadableByTheBesuUser(t *testing.T) {
	for name, r := range renderNodes(t, reference(t)) {
		spec := r.sts.Spec.Template.Spec
		if spec.SecurityContext.FSGroup == nil || *spec.SecurityContext.FSGroup != 1000 || *spec.SecurityContext.RunAsUser != 1000 {
			t.Errorf("%s: security context %+v", name, spec.SecurityContext)
		}
		for _, v := range spec.Volumes {
			if v.Secret != nil && (v.Secret.DefaultMode == nil || *v.Secret.DefaultMode != 0o440) {
				t.Errorf("%s: key mode %v", name, v.Secret.DefaultMode)
			}
		}
	}
}

// ready.sh succeeds exactly when Besu's /readiness?minPeers=1 answers 200: Besu 24.12.2
// ethereum/api/.../jsonrpc/health/ReadinessCheck.java counts connected peers,
// HealthService.java answers 200 or 503 (the fake frames it as Besu does).
func TestReadyProbeAsksForPeers(t *testing.T) {
	validator := common.HexToAddress("0x" + strings.Repeat("1", 40))
	node := besurpc.NewChain(besurpc.QBFT, 30000, []common.Address{validator}).AddNode(t, validator)
	if out, err := runScript(t, readyScript, "ADMIN_PORT="+node.Port()); err == nil {
		t.Errorf("ready without peers\n%s", out)
	}
	node.StartWith(peerAt(peerAID, "10.0.0.2", "30304"))
	if out, err := runScript(t, readyScript, "ADMIN_PORT="+node.Port()); err != nil {
		t.Errorf("not ready with a peer: %v\n%s", err, out)
	}
}
