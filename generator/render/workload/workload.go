// Package workload holds what every ledger platform's pods share: the restricted Pod
// Security Standard (kubernetes.io, "Pod Security Standards", restricted profile) that
// the consortium's Kyverno policies enforce, and resource requirements from the model.
package workload

import (
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Restricted is the container security context of the restricted profile.
func Restricted() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		ReadOnlyRootFilesystem:   ptr.To(true),
		RunAsNonRoot:             ptr.To(true),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// RestrictedPod is the pod security context of the restricted profile, running every
// container as uid with that group, which also owns the pod's volumes (fsGroup): the
// data volumes are writable and the mounted key files readable by it.
func RestrictedPod(uid int64) *corev1.PodSecurityContext {
	return &corev1.PodSecurityContext{
		RunAsNonRoot:   ptr.To(true),
		RunAsUser:      ptr.To(uid),
		RunAsGroup:     ptr.To(uid),
		FSGroup:        ptr.To(uid),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// Resources are a container's requests and limits.
func Resources(requests, limits model.ResourceList) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse(requests.CPU),
			corev1.ResourceMemory: resource.MustParse(requests.Memory),
		},
		Limits: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse(limits.CPU),
			corev1.ResourceMemory: resource.MustParse(limits.Memory),
		},
	}
}

// DisruptionBudget lets a voluntary disruption (drain, upgrade) take down at most
// maxUnavailable of the pods selector matches at once.
func DisruptionBudget(meta metav1.ObjectMeta, selector map[string]string, maxUnavailable int) *policyv1.PodDisruptionBudget {
	max := intstr.FromInt32(int32(maxUnavailable))
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: meta,
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: &max,
			Selector:       &metav1.LabelSelector{MatchLabels: selector},
		},
	}
}
