//go:build e2e

package kubelet

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const toolsImageName = "localhost/flux-ledger-e2e/tools:1"

// TestNode brings a node up, runs one pod of the tools image on it under the
// restrictions the rendered pods use, execs into it, and tears the node down; the
// teardown asserts nothing is left behind.
func TestNode(t *testing.T) {
	n := startNode(t)
	// Nothing of the node listens beyond loopback and the bridge.
	listening := n.listeners()
	for _, l := range listening {
		host, _, _ := net.SplitHostPort(strings.Fields(l)[1])
		if ip := net.ParseIP(host); !ip.IsLoopback() && !ip.Equal(n.ip) {
			t.Errorf("listens beyond loopback and the bridge: %s", l)
		}
	}
	if len(listening) < 5 {
		t.Errorf("found only %d listeners of the node's programs: %v", len(listening), listening)
	}
	t.Logf("listening: %s", strings.Join(listening, ", "))
	n.importImage(t, toolsImage(t, toolsImageName))
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "smoke"}}
	if _, err := n.Client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	no, yes, uid := false, true, int64(1000)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "smoke", Namespace: "smoke"},
		Spec: corev1.PodSpec{
			NodeName:                     nodeName,
			AutomountServiceAccountToken: &no,
			SecurityContext: &corev1.PodSecurityContext{RunAsUser: &uid, RunAsGroup: &uid, FSGroup: &uid, RunAsNonRoot: &yes,
				SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}},
			Containers: []corev1.Container{{
				Name: "sleep", Image: toolsImageName, Command: []string{"/bin/bash", "-c", "exec sleep 3600"},
				SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: &no, ReadOnlyRootFilesystem: &yes,
					Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}},
			}},
		},
	}
	start := time.Now()
	if _, err := n.Client.CoreV1().Pods("smoke").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	n.waitPods(t, "smoke", "smoke pod Ready", 60*time.Second, allReady(1))
	t.Logf("smoke pod Ready after %s", time.Since(start).Round(10*time.Millisecond))
	out, err := n.exec(t, "smoke", "smoke", "sleep", "/bin/bash", "-c", "id -u; grep -E '^(CapEff|Seccomp):' /proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(out)
	if len(fields) != 5 || fields[0] != "1000" || fields[2] != "0000000000000000" || fields[4] != "2" {
		t.Errorf("exec: uid, CapEff and Seccomp are %q, want 1000, 0000000000000000, 2", out)
	}
}
