package flux_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// The properties of Microsoft.KubernetesConfiguration/fluxConfigurations@2025-04-01,
// per its published resource reference. There is no decryption property.
var (
	armProperties = set("azureBlob", "bucket", "configurationProtectedSettings", "gitRepository", "kustomizations",
		"namespace", "ociRepository", "reconciliationWaitDuration", "scope", "sourceKind", "suspend", "waitForReconciliation")
	armGitRepository = set("httpsCACert", "httpsUser", "localAuthRef", "provider", "repositoryRef", "sshKnownHosts",
		"syncIntervalInSeconds", "timeoutInSeconds", "url")
	armKustomization = set("dependsOn", "force", "path", "postBuild", "prune", "retryIntervalInSeconds",
		"syncIntervalInSeconds", "timeoutInSeconds", "wait")
)

func set(keys ...string) map[string]bool {
	m := map[string]bool{}
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func referenceNetwork(t *testing.T) *model.Network {
	t.Helper()
	result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	return result.Network
}

func onlyKnown(t *testing.T, where string, got map[string]any, known map[string]bool) {
	t.Helper()
	for k := range got {
		if !known[k] {
			t.Errorf("%s: %q is not a property of the 2025-04-01 API", where, k)
		}
	}
}

func TestARMTemplateMatchesTheAPI(t *testing.T) {
	network := referenceNetwork(t)
	for _, name := range network.ClusterNames() {
		cluster := network.Clusters[name]
		files, err := flux.Cluster(network, peering.Of(network), cluster, nil)
		if err != nil {
			t.Fatal(err)
		}
		var template struct {
			Resources []map[string]any `json:"resources"`
		}
		if err := json.Unmarshal(files["arc/fluxconfiguration.json"], &template); err != nil {
			t.Fatalf("%s: ARM template is not JSON: %v", name, err)
		}
		var config map[string]any
		for _, r := range template.Resources {
			if r["type"] == flux.FluxConfigurationType {
				config = r
			}
		}
		if config == nil || config["apiVersion"] != "2025-04-01" || config["name"] == "" {
			t.Fatalf("%s: no fluxConfigurations@2025-04-01 resource: %v", name, template.Resources)
		}
		if scope, _ := config["scope"].(string); !strings.Contains(scope, flux.ClusterResourceType(cluster.GitOps.Arc.ClusterKind)) {
			t.Errorf("%s: scope %q does not target a %s", name, scope, cluster.GitOps.Arc.ClusterKind)
		}
		props := config["properties"].(map[string]any)
		onlyKnown(t, name, props, armProperties)
		if props["scope"] != "cluster" || props["sourceKind"] != "GitRepository" || props["namespace"] != cluster.GitOps.Namespace {
			t.Errorf("%s: scope/sourceKind/namespace = %v/%v/%v", name, props["scope"], props["sourceKind"], props["namespace"])
		}
		git := props["gitRepository"].(map[string]any)
		onlyKnown(t, name+".gitRepository", git, armGitRepository)
		if git["url"] != network.Repository.URL || git["repositoryRef"].(map[string]any)["branch"] != network.Repository.Branch {
			t.Errorf("%s: gitRepository = %v", name, git)
		}
		kustomizations := props["kustomizations"].(map[string]any)
		if len(kustomizations) != 1 {
			t.Fatalf("%s: kustomizations = %v", name, kustomizations)
		}
		k := kustomizations[flux.ArcKustomization].(map[string]any)
		onlyKnown(t, name+".kustomizations", k, armKustomization)
		if k["path"] != "./clusters/"+name {
			t.Errorf("%s: kustomization path %v", name, k["path"])
		}

		// The Bicep file states the same configuration: every leaf of the ARM properties.
		bicep := string(files["arc/fluxconfiguration.bicep"])
		for _, leaf := range leaves("", props) {
			if !strings.Contains(bicep, leaf) {
				t.Errorf("%s: Bicep lacks %q", name, leaf)
			}
		}
		// The script parses as bash and names the same target.
		script := files["arc/create.sh"]
		path := filepath.Join(t.TempDir(), "create.sh")
		os.WriteFile(path, script, 0o755)
		if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
			t.Errorf("%s: create.sh: %v\n%s", name, err, out)
		}
		for _, want := range []string{"--cluster-type " + cluster.GitOps.Arc.ClusterKind, "--resource-group " + cluster.GitOps.Arc.ResourceGroup, "path=./clusters/" + name} {
			if !strings.Contains(string(script), want) {
				t.Errorf("%s: create.sh lacks %q", name, want)
			}
		}
	}
}

// leaves flattens properties into "key: value" lines as Bicep writes scalars.
func leaves(prefix string, v map[string]any) []string {
	var out []string
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch val := v[k].(type) {
		case map[string]any:
			out = append(out, leaves(prefix+k+".", val)...)
		case string:
			out = append(out, fmt.Sprintf("%s: '%s'", k, val))
		case float64:
			out = append(out, fmt.Sprintf("%s: %d", k, int(val)))
		case bool:
			out = append(out, fmt.Sprintf("%s: %t", k, val))
		}
	}
	return out
}

// TestKyvernoInstalledBeforePolicies: when the network asks for it, the entry point
// installs Kyverno (chart pinned in CUE) and the policies wait for it.
func TestKyvernoInstalledBeforePolicies(t *testing.T) {
	network := referenceNetwork(t)
	if !network.Compliance.Kyverno.Install {
		t.Fatal("the reference network installs Kyverno")
	}
	cluster := network.Clusters[network.ClusterNames()[0]]
	files, err := flux.Cluster(network, peering.Of(network), cluster, nil)
	if err != nil {
		t.Fatal(err)
	}
	objs := testenv.DecodeObjects(t, files["sync.yaml"])
	dependsOn := map[string][]string{}
	for _, o := range objs {
		deps, _, _ := unstructured.NestedSlice(o.Object, "spec", "dependsOn")
		for _, d := range deps {
			dependsOn[o.GetName()] = append(dependsOn[o.GetName()], d.(map[string]any)["name"].(string))
		}
	}
	// policies → guard → Kyverno, transitively.
	waits := map[string]bool{}
	for next := []string{flux.PoliciesKustomization}; len(next) > 0; next = next[1:] {
		for _, d := range dependsOn[next[0]] {
			if !waits[d] {
				waits[d] = true
				next = append(next, d)
			}
		}
	}
	if !waits[flux.KyvernoKustomization] || !waits[flux.GuardKustomization] {
		t.Errorf("policies do not wait for Kyverno and the guard: dependsOn %v", dependsOn)
	}
	release := string(files["kyverno/kyverno.yaml"])
	if !strings.Contains(release, "version: "+network.Compliance.Kyverno.ChartVersion) || !strings.Contains(release, "kind: HelmRelease") {
		t.Errorf("kyverno.yaml does not pin chart %s:\n%s", network.Compliance.Kyverno.ChartVersion, release)
	}
	entry := string(files["kustomization.yaml"])
	if strings.Contains(entry, "kyverno") {
		t.Errorf("the entry point applies kyverno/ itself instead of through %s:\n%s", flux.KyvernoKustomization, entry)
	}
}
