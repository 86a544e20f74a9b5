package flux_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
)

// TestArcEntryDoesNotWait: fluxConfigurations@2025-04-01 defaults a kustomization's
// wait to true (azure-rest-api-specs, specification/kubernetesconfiguration/
// resource-manager/Microsoft.KubernetesConfiguration/fluxConfigurations/stable/
// 2025-04-01/fluxconfiguration.json, KustomizationDefinition.wait "default": true);
// the entry must say false, or every unhealthy node turns the configuration
// Non-Compliant and each retry blocks for the timeout.
func TestArcEntryDoesNotWait(t *testing.T) {
	network := referenceNetwork(t)
	for _, name := range network.ClusterNames() {
		files, err := flux.Cluster(network, peering.Of(network), network.Clusters[name], nil)
		if err != nil {
			t.Fatal(err)
		}
		config := armResource(t, files["arc/fluxconfiguration.json"], flux.FluxConfigurationType)
		k := config["properties"].(map[string]any)["kustomizations"].(map[string]any)[flux.ArcKustomization].(map[string]any)
		if wait, ok := k["wait"].(bool); !ok || wait {
			t.Errorf("%s: ARM kustomization wait = %v, want false", name, k["wait"])
		}
		if !strings.Contains(string(files["arc/fluxconfiguration.bicep"]), "wait: false") {
			t.Errorf("%s: Bicep does not set wait: false", name)
		}
	}
}

// TestFluxExtensionIsOptionalAndMatchesTheClusterKind: the extension resource is
// created only when the installFluxExtension parameter (default from CUE) is true — a
// second microsoft.flux extension under another name conflicts — and, on a connected
// cluster only, with the system-assigned identity that `az k8s-configuration flux
// create` gives the extension it installs (azure-cli-extensions, src/k8s-configuration/
// azext_k8s_configuration/providers/FluxConfigurationProvider.py, __add_identity:
// managedclusters are returned unchanged, others get Identity(type="SystemAssigned")).
// The extensions 2023-05-01 spec has the identity at the resource's top level.
func TestFluxExtensionIsOptionalAndMatchesTheClusterKind(t *testing.T) {
	network := referenceNetwork(t)
	kinds := map[string]bool{}
	defaults := map[bool]bool{}
	for _, name := range network.ClusterNames() {
		cluster := network.Clusters[name]
		files, err := flux.Cluster(network, peering.Of(network), cluster, nil)
		if err != nil {
			t.Fatal(err)
		}
		var template struct {
			Parameters map[string]map[string]any `json:"parameters"`
		}
		json.Unmarshal(files["arc/fluxconfiguration.json"], &template)
		param := template.Parameters[flux.InstallExtensionParameter]
		if param["type"] != "bool" || param["defaultValue"] != cluster.GitOps.Arc.InstallFluxExtension {
			t.Errorf("%s: parameter %s = %v, want bool defaulting to %t", name, flux.InstallExtensionParameter, param, cluster.GitOps.Arc.InstallFluxExtension)
		}
		defaults[cluster.GitOps.Arc.InstallFluxExtension] = true
		ext := armResource(t, files["arc/fluxconfiguration.json"], flux.ExtensionType)
		if ext["condition"] != "[parameters('"+flux.InstallExtensionParameter+"')]" {
			t.Errorf("%s: extension condition %v", name, ext["condition"])
		}
		connected := cluster.GitOps.Arc.ClusterKind == "connectedClusters"
		kinds[cluster.GitOps.Arc.ClusterKind] = true
		identity, _ := ext["identity"].(map[string]any)
		if connected && (identity == nil || identity["type"] != "SystemAssigned") || !connected && identity != nil {
			t.Errorf("%s (%s): extension identity %v", name, cluster.GitOps.Arc.ClusterKind, ext["identity"])
		}
		bicep := string(files["arc/fluxconfiguration.bicep"])
		if !strings.Contains(bicep, "= if ("+flux.InstallExtensionParameter+") {") ||
			!strings.Contains(bicep, "param "+flux.InstallExtensionParameter+" bool = ") {
			t.Errorf("%s: Bicep extension is not conditional:\n%s", name, bicep)
		}
		if connected != strings.Contains(bicep, "type: 'SystemAssigned'") {
			t.Errorf("%s: Bicep identity does not match cluster kind %s", name, cluster.GitOps.Arc.ClusterKind)
		}
	}
	if len(kinds) != 2 || len(defaults) != 2 {
		t.Errorf("reference network covers cluster kinds %v and install defaults %v; want both of each", kinds, defaults)
	}
}

func armResource(t *testing.T, data []byte, typ string) map[string]any {
	t.Helper()
	var template struct {
		Resources []map[string]any `json:"resources"`
	}
	if err := json.Unmarshal(data, &template); err != nil {
		t.Fatal(err)
	}
	for _, r := range template.Resources {
		if r["type"] == typ {
			return r
		}
	}
	t.Fatalf("no %s resource", typ)
	return nil
}
