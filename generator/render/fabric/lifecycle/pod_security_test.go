package lifecycle

import (
	"maps"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// podSpecs returns every pod spec the party renders, by file.
func podSpecs(objects map[string]any) map[string]corev1.PodSpec {
	out := map[string]corev1.PodSpec{}
	for file, obj := range objects {
		switch o := obj.(type) {
		case *batchv1.Job:
			out[file] = o.Spec.Template.Spec
		case *appsv1.Deployment:
			out[file] = o.Spec.Template.Spec
		case *batchv1.CronJob:
			out[file] = o.Spec.JobTemplate.Spec.Template.Spec
		}
	}
	return out
}

// renderAll is the party's lifecycle objects and a channel update submission's.
func renderAll(t *testing.T, n *model.Network, party string) map[string]any {
	t.Helper()
	objects := render(t, n, party)
	submit, err := SubmitObjects(n, n.Parties[party], partyNodes(n, party), ChannelSubmission{
		Channel: "trade.eu", Sequence: 2, Change: "add", Organisation: "DMSP", Envelope: []byte("signed"),
	})
	if err != nil {
		t.Fatal(err)
	}
	maps.Copy(objects, submit)
	return objects
}

// Every pod meets the restricted Pod Security Standard: non-root, RuntimeDefault
// seccomp, no privilege escalation, all capabilities dropped, only ConfigMap, Secret,
// projected and emptyDir volumes; and no service account token.
func TestEveryPodIsRestricted(t *testing.T) {
	n := testNetwork()
	for _, party := range n.PartyNames() {
		specs := podSpecs(renderAll(t, n, party))
		if len(specs) == 0 {
			t.Fatalf("party %s renders no pods", party)
		}
		for file, spec := range specs {
			sc := spec.SecurityContext
			if sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser == 0 ||
				sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
				t.Errorf("%s/%s: pod security context %+v", party, file, sc)
			}
			if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
				t.Errorf("%s/%s mounts a service account token", party, file)
			}
			if spec.HostNetwork || spec.HostPID || spec.HostIPC {
				t.Errorf("%s/%s shares a host namespace", party, file)
			}
			for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
				s := c.SecurityContext
				if s == nil || s.AllowPrivilegeEscalation == nil || *s.AllowPrivilegeEscalation ||
					s.Privileged != nil && *s.Privileged ||
					s.Capabilities == nil || len(s.Capabilities.Drop) != 1 || s.Capabilities.Drop[0] != "ALL" || len(s.Capabilities.Add) > 0 ||
					s.ReadOnlyRootFilesystem == nil || !*s.ReadOnlyRootFilesystem {
					t.Errorf("%s/%s container %s: security context %+v", party, file, c.Name, s)
				}
				for _, p := range c.Ports {
					if p.HostPort != 0 {
						t.Errorf("%s/%s container %s uses a host port", party, file, c.Name)
					}
				}
			}
			for _, v := range spec.Volumes {
				if v.ConfigMap == nil && v.Secret == nil && v.Projected == nil && v.EmptyDir == nil {
					t.Errorf("%s/%s volume %s is of a kind the restricted profile refuses", party, file, v.Name)
				}
			}
		}
	}
}

// A Job reads only its own party's admin Secret, runs the network's tools image, is
// retried, and is not deleted after it finished (see job: Flux would re-create it).
func TestJobsUseOwnSecretAndToolsImage(t *testing.T) {
	n := testNetwork()
	for _, party := range n.PartyNames() {
		for file, obj := range renderAll(t, n, party) {
			job, ok := obj.(*batchv1.Job)
			if !ok {
				continue
			}
			if job.Namespace != n.Parties[party].Namespace {
				t.Errorf("%s/%s in namespace %q", party, file, job.Namespace)
			}
			if job.Spec.TTLSecondsAfterFinished != nil {
				t.Errorf("%s/%s has a TTL", party, file)
			}
			if job.Spec.BackoffLimit == nil || *job.Spec.BackoffLimit < 1 {
				t.Errorf("%s/%s is not retried", party, file)
			}
			spec := job.Spec.Template.Spec
			if spec.RestartPolicy != corev1.RestartPolicyNever {
				t.Errorf("%s/%s restart policy %s", party, file, spec.RestartPolicy)
			}
			if img := spec.Containers[0].Image; img != n.Fabric.Images.Tools {
				t.Errorf("%s/%s runs %s", party, file, img)
			}
			for _, v := range spec.Volumes {
				if v.Secret != nil {
					t.Errorf("%s/%s mounts Secret %s whole", party, file, v.Secret.SecretName)
				}
				if v.Projected == nil {
					continue
				}
				for _, s := range v.Projected.Sources {
					if s.Secret != nil && s.Secret.Name != identity.FabricAdminSecret {
						t.Errorf("%s/%s reads Secret %s", party, file, s.Secret.Name)
					}
				}
			}
			for _, e := range spec.Containers[0].Env {
				if e.ValueFrom != nil {
					t.Errorf("%s/%s env %s reads from elsewhere", party, file, e.Name)
				}
			}
		}
	}
}
