//go:build e2e

package kubelet

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// waitPods waits until check passes for the pods of a namespace, printing on failure
// what explains a pod that did not get there: its conditions and container states,
// the namespace's events and the last lines of each container's log.
func (n *node) waitPods(t *testing.T, namespace, what string, timeout time.Duration, check func([]corev1.Pod) error) {
	t.Helper()
	defer func() {
		if t.Failed() {
			n.describe(t, namespace)
		}
	}()
	testenv.Eventually(t, what, timeout, func() error {
		if err := n.alive("kubelet", "containerd", "kube-apiserver"); err != nil {
			return err
		}
		list, err := n.Client.CoreV1().Pods(namespace).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			return err
		}
		return check(list.Items)
	})
}

// allReady passes when there are want pods and each is Ready.
func allReady(want int) func([]corev1.Pod) error {
	return func(pods []corev1.Pod) error {
		if len(pods) != want {
			return fmt.Errorf("%d pods, want %d", len(pods), want)
		}
		for _, p := range pods {
			if !podReady(&p) {
				return fmt.Errorf("pod %s not Ready: %s", p.Name, podSummary(&p))
			}
		}
		return nil
	}
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func podSummary(p *corev1.Pod) string {
	var parts []string
	parts = append(parts, string(p.Status.Phase))
	for _, c := range p.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			parts = append(parts, fmt.Sprintf("%s=%s(%s)", c.Type, c.Status, c.Reason))
		}
	}
	for _, s := range append(append([]corev1.ContainerStatus{}, p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		state := "running"
		switch {
		case s.State.Waiting != nil:
			state = "waiting:" + s.State.Waiting.Reason
		case s.State.Terminated != nil:
			state = fmt.Sprintf("terminated:%s(%d)", s.State.Terminated.Reason, s.State.Terminated.ExitCode)
		}
		parts = append(parts, fmt.Sprintf("%s=%s ready=%v restarts=%d", s.Name, state, s.Ready, s.RestartCount))
	}
	return strings.Join(parts, " ")
}

// describe logs the pods of a namespace, its events and its containers' last log lines.
func (n *node) describe(t *testing.T, namespace string) {
	ctx := context.Background()
	pods, err := n.Client.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Logf("list pods: %v", err)
		return
	}
	for _, p := range pods.Items {
		t.Logf("pod %s/%s: %s", namespace, p.Name, podSummary(&p))
		for _, c := range p.Status.Conditions {
			t.Logf("  condition %s=%s %s %s", c.Type, c.Status, c.Reason, c.Message)
		}
		containers := append(append([]corev1.Container{}, p.Spec.InitContainers...), p.Spec.Containers...)
		for _, c := range containers {
			tailLines := int64(15)
			data, err := n.Client.CoreV1().Pods(namespace).GetLogs(p.Name, &corev1.PodLogOptions{Container: c.Name, TailLines: &tailLines}).DoRaw(ctx)
			if err != nil {
				t.Logf("  log of %s: %v", c.Name, err)
				continue
			}
			t.Logf("  last log lines of %s:\n%s", c.Name, data)
		}
	}
	events, err := n.Client.CoreV1().Events(namespace).List(ctx, metav1.ListOptions{})
	if err == nil {
		for _, e := range events.Items {
			t.Logf("event %s %s: %s %s (x%d)", e.InvolvedObject.Name, e.Type, e.Reason, e.Message, e.Count)
		}
	}
}

// exec runs a command in a container through the API server and the kubelet (which
// checks the API server's client certificate), returning its standard output.
func (n *node) exec(t *testing.T, namespace, pod, container string, command ...string) (string, error) {
	t.Helper()
	req := n.Client.CoreV1().RESTClient().Post().Resource("pods").Namespace(namespace).Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{Container: container, Command: command, Stdout: true, Stderr: true}, scheme.ParameterCodec)
	executor, err := remotecommand.NewSPDYExecutor(n.Config, "POST", req.URL())
	if err != nil {
		return "", err
	}
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = executor.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: &stdout, Stderr: &stderr})
	if err != nil {
		return stdout.String(), fmt.Errorf("%w: %s", err, stderr.String())
	}
	return stdout.String(), nil
}
