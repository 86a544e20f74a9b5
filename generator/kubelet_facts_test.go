package generator_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/flux-ledger/flux-ledger/generator/render/besu"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// What the kubelet does with the rendered pod specs, checked on every pod template of
// the committed Besu reference tree and of a launched Fabric network (StatefulSets,
// Deployments and Jobs). The e2e has no kubelet, so each fact is tied to the
// Kubernetes v1.36 source that decides it.
func TestRenderedPodsHoldUnderTheKubelet(t *testing.T) {
	trees := map[string]string{"besu": testenv.RepoRoot(t), "fabric": newFabricRepo(t)}
	for platform, root := range trees {
		pods := podTemplates(t, filepath.Join(root, "parties"))
		if len(pods) == 0 {
			t.Fatalf("%s: no pod template found", platform)
		}
		for name, pod := range pods {
			t.Run(platform+"/"+name, func(t *testing.T) { checkPod(t, pod.spec, pod.claims) })
		}
	}
}

// variable is a $(NAME) reference in a command, argument or env value.
var variable = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// refreshedInPlace are the ConfigMaps whose changes reach running pods without a
// restart, by design.
var refreshedInPlace = map[string]bool{besu.VotesConfigMap: true, besu.PeersConfigMap: true, besu.ScriptsConfigMap: true}

func checkPod(t *testing.T, pod corev1.PodSpec, claims []string) {
	volumes := map[string]corev1.Volume{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = v
	}
	for _, claim := range claims {
		volumes[claim] = corev1.Volume{Name: claim}
	}
	psc := pod.SecurityContext
	for _, c := range append(append([]corev1.Container{}, pod.InitContainers...), pod.Containers...) {
		// pkg/kubelet/container/helpers.go ExpandContainerCommandAndArgs expands $(NAME)
		// from the container's own environment only, in order; a name it lacks stays
		// as the literal text (third_party/forked/golang/expansion/expand.go), so Besu
		// would get "--p2p-host=$(POD_IP)".
		defined := map[string]bool{}
		for _, e := range c.Env {
			for _, m := range variable.FindAllStringSubmatch(e.Value, -1) {
				if !defined[m[1]] {
					t.Errorf("%s: env %s refers to $(%s), not defined before it", c.Name, e.Name, m[1])
				}
			}
			defined[e.Name] = true
		}
		for _, word := range append(append([]string{}, c.Command...), c.Args...) {
			for _, m := range variable.FindAllStringSubmatch(word, -1) {
				if !defined[m[1]] {
					t.Errorf("%s: %q refers to $(%s), which the container does not define", c.Name, word, m[1])
				}
			}
		}

		// pkg/kubelet/kuberuntime/security_context_others.go verifyRunAsNonRoot: with
		// runAsNonRoot and no numeric runAsUser, an image whose USER is a name fails
		// with "image has non-numeric user … cannot verify user is non-root".
		sc := c.SecurityContext
		nonRoot := (sc != nil && sc.RunAsNonRoot != nil && *sc.RunAsNonRoot) || (psc != nil && psc.RunAsNonRoot != nil && *psc.RunAsNonRoot)
		hasUser := (sc != nil && sc.RunAsUser != nil) || (psc != nil && psc.RunAsUser != nil)
		if nonRoot && !hasUser {
			t.Errorf("%s: runAsNonRoot without a numeric runAsUser", c.Name)
		}

		ports := map[string]bool{}
		for _, p := range c.Ports {
			ports[p.Name] = true
		}
		for kind, probe := range map[string]*corev1.Probe{"startup": c.StartupProbe, "liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
			if probe == nil {
				continue
			}
			// pkg/kubelet/prober/prober.go resolves a named probe port among the
			// container's own ports (probe.ResolveContainerPort): an unknown name fails
			// every probe.
			if g := probe.HTTPGet; g != nil && g.Port.StrVal != "" && !ports[g.Port.StrVal] {
				t.Errorf("%s: %s probe on port %q, which the container does not declare", c.Name, kind, g.Port.StrVal)
			}
			if s := probe.TCPSocket; s != nil && s.Port.StrVal != "" && !ports[s.Port.StrVal] {
				t.Errorf("%s: %s probe on port %q, which the container does not declare", c.Name, kind, s.Port.StrVal)
			}
			// pkg/kubelet/prober/prober.go runs exec probes through the runtime with the
			// probe's timeout; the default of 1 s (pkg/apis/core/v1/defaults.go) is short
			// for a bash script that opens a socket, so every exec probe sets its own.
			if probe.Exec != nil && probe.TimeoutSeconds < 2 {
				t.Errorf("%s: exec %s probe with a %d s timeout", c.Name, kind, probe.TimeoutSeconds)
			}
		}

		for _, m := range c.VolumeMounts {
			v, ok := volumes[m.Name]
			if !ok {
				t.Errorf("%s: mounts volume %s, which the pod does not have", c.Name, m.Name)
				continue
			}
			// pkg/volume/util/subpath binds a subPath once, at container start: a
			// ConfigMap file mounted by subPath never sees an update (kubernetes.io,
			// "ConfigMaps": "A container using a ConfigMap as a subPath volume mount will
			// not receive ConfigMap updates"). Votes, peer lists and the scripts must
			// reach running pods.
			if m.SubPath != "" && v.ConfigMap != nil && refreshedInPlace[v.ConfigMap.Name] {
				t.Errorf("%s: mounts %s by subPath %s, which the kubelet never refreshes", c.Name, m.Name, m.SubPath)
			}
			// pkg/volume/volume_linux.go SetVolumeOwnership gives a Secret volume's
			// files to the pod's fsGroup; a non-root user then reads a key file only
			// through its group bit.
			if v.Secret != nil && hasUser && (psc == nil || psc.FSGroup == nil) {
				t.Errorf("%s: mounts secret %s as a non-root user without an fsGroup", c.Name, v.Secret.SecretName)
			}
			if v.Secret != nil && v.Secret.DefaultMode != nil && *v.Secret.DefaultMode&0o040 == 0 {
				t.Errorf("%s: secret %s files are mode %o: the fsGroup cannot read them", c.Name, v.Secret.SecretName, *v.Secret.DefaultMode)
			}
		}
	}
}

type podTemplate struct {
	spec   corev1.PodSpec
	claims []string // a StatefulSet's volume claim templates, which the pod mounts
}

// podTemplates reads every pod template under dir, by "<file>/<kind>/<name>".
func podTemplates(t *testing.T, dir string) map[string]podTemplate {
	out := map[string]podTemplate{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, obj := range testenv.DecodeObjects(t, data) {
			switch obj.GetKind() {
			case "StatefulSet", "Deployment", "Job":
			default:
				continue
			}
			spec, _, _ := unstructured.NestedMap(obj.Object, "spec", "template", "spec")
			var pod podTemplate
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(spec, &pod.spec); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			claims, _, _ := unstructured.NestedSlice(obj.Object, "spec", "volumeClaimTemplates")
			for _, c := range claims {
				name, _, _ := unstructured.NestedString(c.(map[string]any), "metadata", "name")
				pod.claims = append(pod.claims, name)
			}
			rel, _ := filepath.Rel(dir, p)
			out[rel+"/"+obj.GetKind()+"/"+obj.GetName()] = pod
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
