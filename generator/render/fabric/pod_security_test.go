package fabric_test

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// Every node's pod passes the restricted Pod Security Standard
// (kubernetes.io/docs/concepts/security/pod-security-standards, "Restricted"): non-root
// with a non-zero uid, RuntimeDefault seccomp, no privilege escalation, every
// capability dropped, only the volume types the profile allows.
func TestEveryStatefulSetIsRestricted(t *testing.T) {
	allowedVolume := func(v corev1.Volume) bool {
		s := v.VolumeSource
		return s.ConfigMap != nil || s.CSI != nil || s.DownwardAPI != nil || s.EmptyDir != nil ||
			s.Ephemeral != nil || s.PersistentVolumeClaim != nil || s.Projected != nil || s.Secret != nil
	}
	for name, sts := range statefulSets(t, referenceNetwork(t)) {
		pod := sts.Spec.Template.Spec
		psc := pod.SecurityContext
		if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 ||
			psc.FSGroup == nil || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			t.Errorf("%s: pod security context %+v", name, psc)
		}
		if pod.HostNetwork || pod.HostPID || pod.HostIPC {
			t.Errorf("%s: shares a host namespace", name)
		}
		for _, v := range pod.Volumes {
			if !allowedVolume(v) {
				t.Errorf("%s: volume %s is not allowed by the restricted profile", name, v.Name)
			}
		}
		if *sts.Spec.Replicas != 1 {
			t.Errorf("%s: %d replicas", name, *sts.Spec.Replicas)
		}
		for _, c := range append(pod.InitContainers, pod.Containers...) {
			sc := c.SecurityContext
			if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
				sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0 ||
				(sc.Privileged != nil && *sc.Privileged) || (sc.RunAsUser != nil && *sc.RunAsUser == 0) ||
				sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
				t.Errorf("%s/%s: security context %+v", name, c.Name, sc)
			}
			for _, p := range c.Ports {
				if p.HostPort != 0 {
					t.Errorf("%s/%s: host port %d", name, c.Name, p.HostPort)
				}
			}
			if c.Resources.Limits.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() ||
				c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() {
				t.Errorf("%s/%s: requests and limits are required (policies/resources.yaml)", name, c.Name)
			}
		}
	}
}

// Fabric v2.5.16 core/operations/system.go registers /healthz on the operations
// listener without TLS client authentication: both probes ask it, on the named port
// the container declares at the node's metrics port.
func TestProbesAskTheOperationsHealthz(t *testing.T) {
	n := referenceNetwork(t)
	for name, sts := range statefulSets(t, n) {
		main := mainContainer(t, sts)
		for kind, p := range map[string]*corev1.Probe{"readiness": main.ReadinessProbe, "liveness": main.LivenessProbe} {
			if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" || p.HTTPGet.Port.StrVal != "operations" {
				t.Errorf("%s: %s probe %+v", name, kind, p)
			}
		}
		found := false
		for _, port := range main.Ports {
			found = found || (port.Name == "operations" && int(port.ContainerPort) == n.Nodes[name].Ports.Metrics)
		}
		if !found {
			t.Errorf("%s: no operations port %d", name, n.Nodes[name].Ports.Metrics)
		}
	}
}
