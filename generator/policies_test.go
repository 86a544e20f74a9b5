package generator_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

func kyverno(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(testenv.Tool(t, "kyverno"), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "KYVERNO_EXPERIMENTAL=false")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var testSummary = regexp.MustCompile(`Test Summary: (\d+) tests passed and (\d+) tests failed`)

// TestKyvernoSuites runs the hand-written suites under policies/tests with the real
// Kyverno CLI: each policy admits a compliant resource and refuses a violating one.
func TestKyvernoSuites(t *testing.T) {
	root := testenv.RepoRoot(t)
	out, err := kyverno(t, root, "test", "policies/tests")
	m := testSummary.FindStringSubmatch(out)
	if err != nil || m == nil || m[2] != "0" {
		t.Fatalf("kyverno test: %v\n%s", err, out)
	}
	if passed, _ := strconv.Atoi(m[1]); passed < 12 {
		t.Errorf("only %d kyverno tests ran", passed)
	}
}

// TestWeakenedPoliciesFailTheSuites weakens the policies the way a careless change
// would (a foreign registry allowed, pod security relaxed to baseline) and requires
// the suites to catch it. A rule whose scope no longer matches a resource cannot be
// caught this way (the Kyverno CLI counts an unmatched resource as a passed test), so
// the scope of every rule is checked by TestPoliciesCoverEveryLedgerNamespace.
func TestWeakenedPoliciesFailTheSuites(t *testing.T) {
	for name, edit := range map[string]struct{ file, old, new string }{
		"foreign registry": {"parties/contoso/allowed-registries.yaml", "docker.io/* | ghcr.io/*", "docker.io/* | ghcr.io/* | quay.io/*"},
		"root pods":        {"parties/contoso/pod-security.yaml", "level: restricted", "level: baseline"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			testenv.CopyDir(t, filepath.Join(testenv.RepoRoot(t), "policies"), filepath.Join(dir, "policies"))
			path := filepath.Join(dir, "policies", edit.file)
			data, err := os.ReadFile(path)
			if err != nil || !strings.Contains(string(data), edit.old) {
				t.Fatalf("%s does not contain %q (%v)", edit.file, edit.old, err)
			}
			os.WriteFile(path, []byte(strings.ReplaceAll(string(data), edit.old, edit.new)), 0o644)
			out, err := kyverno(t, dir, "test", "policies/tests")
			if err == nil {
				t.Fatalf("kyverno test passed with a weakened %s:\n%s", edit.file, out)
			}
		})
	}
}

var applySummary = regexp.MustCompile(`pass: (\d+), fail: (\d+), warn: (\d+), error: (\d+), skip: (\d+)`)

// TestGeneratedManifestsComply applies the generated policies, with the real Kyverno
// CLI, to everything each party runs (its cluster directories built as Flux builds
// them) in the reference network, a seven-party variant and the launched Fabric
// reference network (orderers, peers with CouchDB, Jobs, chaincode servers): no violation.
func TestGeneratedManifestsComply(t *testing.T) {
	for _, variant := range []string{"reference", "seven-parties", "fabric"} {
		t.Run(variant, func(t *testing.T) {
			repo := testenv.RepoRoot(t)
			switch variant {
			case "reference":
			case "fabric":
				repo = newFabricRepo(t)
			default:
				repo = newVariantRepo(t, variant)
			}
			result, err := load.Network(filepath.Join(repo, "cue"))
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range result.Network.ClusterNames() {
				cluster := result.Network.Clusters[name]
				dir := filepath.Join(repo, "parties", cluster.Party, "clusters", name)
				resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
				if err != nil {
					t.Fatal(err)
				}
				data, _ := resources.AsYaml()
				built := filepath.Join(t.TempDir(), name+".yaml")
				os.WriteFile(built, data, 0o644)
				policies := policiesAppliedBy(t, repo, name)
				out, err := kyverno(t, repo, "apply", policies, "--resource", built)
				m := applySummary.FindStringSubmatch(out)
				if err != nil || m == nil {
					t.Fatalf("kyverno apply on %s: %v\n%s", dir, err, out)
				}
				if m[2] != "0" || m[4] != "0" || m[1] == "0" {
					t.Errorf("%s: pass %s, fail %s, error %s\n%s", dir, m[1], m[2], m[4], out)
				}
			}
		})
	}
}

// policiesAppliedBy builds, as kustomize-controller would, the path the cluster's
// ledger-policies Flux Kustomization applies, and writes the policies it yields to a
// file.
func policiesAppliedBy(t *testing.T, repo, cluster string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, flux.EntryPath(cluster), "sync.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var dir string
	for _, doc := range strings.Split(string(data), "\n---\n") {
		var k kustomizev1.Kustomization
		if err := yaml.Unmarshal([]byte(doc), &k); err == nil && k.Name == flux.PoliciesKustomization {
			dir = k.Spec.Path
		}
	}
	if dir == "" {
		t.Fatalf("%s: no %s Kustomization", cluster, flux.PoliciesKustomization)
	}
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), filepath.Join(repo, dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(resources.Resources()) < 6 {
		t.Fatalf("%s applies %d policies from %s", cluster, len(resources.Resources()), dir)
	}
	out, _ := resources.AsYaml()
	file := filepath.Join(t.TempDir(), cluster+"-policies.yaml")
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}
