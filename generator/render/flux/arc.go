package flux

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// The Azure Resource Manager API the fluxConfiguration is written against.
const (
	FluxConfigurationType       = "Microsoft.KubernetesConfiguration/fluxConfigurations"
	FluxConfigurationAPIVersion = "2025-04-01"
	ExtensionType               = "Microsoft.KubernetesConfiguration/extensions"
	ExtensionAPIVersion         = "2023-05-01"
	// ArcKustomization is the name of the fluxConfiguration's one kustomization, which
	// applies clusters/<cluster>.
	ArcKustomization = "cluster"
)

// ClusterResourceType is the ARM type of the cluster a configuration extends.
func ClusterResourceType(kind string) string {
	if kind == "managedClusters" {
		return "Microsoft.ContainerService/managedClusters"
	}
	return "Microsoft.Kubernetes/connectedClusters"
}

// InstallExtensionParameter is the ARM/Bicep parameter that switches the creation of
// the microsoft.flux extension on or off.
const InstallExtensionParameter = "installFluxExtension"

// fluxConfigurationProperties are the fluxConfiguration's properties, shared by the ARM
// template and the Bicep file so both always describe the same configuration. The ARM
// API has no decryption field: decryption is set on the Flux Kustomization the
// configuration applies (sync.yaml).
func (r *clusterRenderer) fluxConfigurationProperties() map[string]any {
	interval, _ := time.ParseDuration(r.network.Repository.Interval)
	git := map[string]any{
		"url":                   r.network.Repository.URL,
		"repositoryRef":         map[string]any{"branch": r.network.Repository.Branch},
		"syncIntervalInSeconds": int(interval.Seconds()),
		"timeoutInSeconds":      600,
	}
	// The party's own Secret in the configuration namespace: the token or key never
	// passes through ARM (configurationProtectedSettings) or this repository.
	if secret := r.credentialsSecret(); secret != "" {
		git["localAuthRef"] = secret
	}
	return map[string]any{
		"scope":         "cluster",
		"namespace":     r.cluster.GitOps.Namespace,
		"sourceKind":    "GitRepository",
		"suspend":       false,
		"gitRepository": git,
		"kustomizations": map[string]any{
			ArcKustomization: map[string]any{
				"path":                   "./" + EntryPath(r.cluster.Name),
				"prune":                  true,
				"syncIntervalInSeconds":  int(syncInterval.Seconds()),
				"retryIntervalInSeconds": int(retryInterval.Seconds()),
				"timeoutInSeconds":       int(applyTimeout.Seconds()),
				// wait defaults to true in 2025-04-01: the entry would then health-check
				// every object of every child and turn Non-Compliant with any node. The
				// children carry their own health checks.
				"wait": false,
			},
		},
	}
}

// credentialsSecret is the name of the Secret holding the cluster's Git credentials,
// or "" for a public repository.
func (r *clusterRenderer) credentialsSecret() string {
	if r.cluster.GitOps.Credentials.Kind == "" || r.cluster.GitOps.Credentials.Kind == model.CredentialsNone {
		return ""
	}
	return r.cluster.GitOps.Credentials.Secret
}

// extensionProperties are the microsoft.flux extension's properties and, for a
// connected cluster, the system-assigned identity `az k8s-configuration flux create`
// gives the extension it installs there (and not on AKS).
func (r *clusterRenderer) extension() (properties map[string]any, identity map[string]any) {
	properties = map[string]any{"extensionType": "microsoft.flux", "autoUpgradeMinorVersion": true}
	if r.cluster.GitOps.Arc.ClusterKind != "managedClusters" {
		identity = map[string]any{"type": "SystemAssigned"}
	}
	return properties, identity
}

// arc renders clusters/<cluster>/arc/: the ARM template, the equivalent Bicep file and
// an az CLI script, each creating the fluxConfiguration that points the cluster at its
// entry point and, when asked, the microsoft.flux extension.
func (r *clusterRenderer) arc() error {
	target := r.cluster.GitOps.Arc
	clusterType := ClusterResourceType(target.ClusterKind)
	scope := fmt.Sprintf("[format('%s/{0}', parameters('clusterName'))]", clusterType)
	properties, identity := r.extension()
	extension := map[string]any{
		"condition":  fmt.Sprintf("[parameters('%s')]", InstallExtensionParameter),
		"type":       ExtensionType,
		"apiVersion": ExtensionAPIVersion,
		"name":       "flux",
		"scope":      scope,
		"properties": properties,
	}
	if identity != nil {
		extension["identity"] = identity
	}
	template := map[string]any{
		"$schema":        "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
		"contentVersion": "1.0.0.0",
		"parameters": map[string]any{
			"clusterName": map[string]any{"type": "string", "defaultValue": target.ClusterName},
			InstallExtensionParameter: map[string]any{
				"type":         "bool",
				"defaultValue": target.InstallFluxExtension,
				"metadata":     map[string]any{"description": "Create the microsoft.flux extension. Leave false when the cluster already has it, under any name."},
			},
		},
		"resources": []any{
			extension,
			map[string]any{
				"type":       FluxConfigurationType,
				"apiVersion": FluxConfigurationAPIVersion,
				"name":       SourceName,
				"scope":      scope,
				// A dependency on a resource whose condition is false is dropped by ARM.
				"dependsOn":  []any{fmt.Sprintf("[extensionResourceId(resourceId('%s', parameters('clusterName')), '%s', 'flux')]", clusterType, ExtensionType)},
				"properties": r.fluxConfigurationProperties(),
			},
		},
	}
	arm, err := json.MarshalIndent(template, "", "  ")
	if err != nil {
		return err
	}
	r.files["arc/fluxconfiguration.json"] = append(arm, '\n')
	r.files["arc/fluxconfiguration.bicep"] = []byte(r.bicep(clusterType))
	script := r.azScript()
	if r.cluster.Monitoring.Mode == model.MonitoringAzureMonitor {
		rules, err := r.ruleGroupsBicep()
		if err != nil {
			return err
		}
		if rules != "" {
			r.files[RuleGroupsFile] = []byte(rules)
		}
		script += r.azureMonitorScript(rules != "")
	}
	r.files["arc/create.sh"] = []byte(script)
	return nil
}

func (r *clusterRenderer) bicep(clusterType string) string {
	target := r.cluster.GitOps.Arc
	var b strings.Builder
	fmt.Fprintf(&b, "// Flux configuration of cluster %s (party %s), generated by flux-ledger.\n", r.cluster.Name, r.party.Name)
	fmt.Fprintf(&b, "// Deploy: az deployment group create -g %s -f fluxconfiguration.bicep\n\n", target.ResourceGroup)
	fmt.Fprintf(&b, "param clusterName string = %s\n\n", bicepValue(target.ClusterName, 0))
	b.WriteString("@description('Create the microsoft.flux extension. Leave false when the cluster already has it, under any name.')\n")
	fmt.Fprintf(&b, "param %s bool = %t\n\n", InstallExtensionParameter, target.InstallFluxExtension)
	fmt.Fprintf(&b, "resource cluster '%s@%s' existing = {\n  name: clusterName\n}\n\n", clusterType, map[string]string{
		"Microsoft.ContainerService/managedClusters": "2024-09-01",
		"Microsoft.Kubernetes/connectedClusters":     "2024-01-01",
	}[clusterType])
	properties, identity := r.extension()
	fmt.Fprintf(&b, "resource flux '%s@%s' = if (%s) {\n  name: 'flux'\n  scope: cluster\n", ExtensionType, ExtensionAPIVersion, InstallExtensionParameter)
	if identity != nil {
		fmt.Fprintf(&b, "  identity: %s\n", bicepValue(identity, 1))
	}
	fmt.Fprintf(&b, "  properties: %s\n}\n\n", bicepValue(properties, 1))
	fmt.Fprintf(&b, "resource ledger '%s@%s' = {\n  name: %s\n  scope: cluster\n  dependsOn: [\n    flux\n  ]\n  properties: %s\n}\n",
		FluxConfigurationType, FluxConfigurationAPIVersion, bicepValue(SourceName, 1), bicepValue(r.fluxConfigurationProperties(), 1))
	return b.String()
}

// bicepValue encodes a JSON-like value as a Bicep literal (objects with sorted keys).
func bicepValue(v any, indent int) string {
	pad := strings.Repeat("  ", indent)
	switch v := v.(type) {
	case string:
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "${", `\${`).Replace(v) + "'"
	case bool:
		return strconv.FormatBool(v)
	case int:
		return strconv.Itoa(v)
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		b.WriteString("{\n")
		for _, k := range keys {
			fmt.Fprintf(&b, "%s  %s: %s\n", pad, k, bicepValue(v[k], indent+1))
		}
		b.WriteString(pad + "}")
		return b.String()
	case []any:
		var b strings.Builder
		b.WriteString("[\n")
		for _, e := range v {
			fmt.Fprintf(&b, "%s  %s\n", pad, bicepValue(e, indent+1))
		}
		b.WriteString(pad + "]")
		return b.String()
	}
	panic(fmt.Sprintf("bicepValue: unsupported %T", v))
}
