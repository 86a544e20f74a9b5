package flux_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// baseNetwork loads the load tests' base network (alpha on Arc/AKS, beta on plain
// Flux) with edits applied, each old string replaced once.
func baseNetwork(t *testing.T, edits ...string) *model.Network {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "generator", "load", "testdata", "base.cue"))
	if err != nil {
		t.Fatal(err)
	}
	network := string(data)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(network, edits[i]) {
			t.Fatalf("base.cue lacks %q", edits[i])
		}
		network = strings.Replace(network, edits[i], edits[i+1], 1)
	}
	result, err := load.Network(testenv.Module(t, map[string]string{"network.cue": network}))
	if err != nil {
		t.Fatal(err)
	}
	return result.Network
}

// withCredentials gives both clusters of the base network Git credentials of a kind.
func withCredentials(kind string) []string {
	return []string{
		`clusterKind:   "managedClusters"
				}`, `clusterKind:   "managedClusters"
				}
				credentials: kind: "` + kind + `"`,
		`gitops: mode: "flux"`, `gitops: {mode: "flux", credentials: {kind: "` + kind + `", secret: "git-` + kind + `"}}`,
	}
}

// TestPrivateRepositoryCredentials: each way a cluster connects reads the party's
// out-of-band Secret — fluxConfiguration gitRepository.localAuthRef (ARM, Bicep),
// --local-auth-ref (az), GitRepository spec.secretRef (plain Flux) — and nothing
// secret is rendered.
func TestPrivateRepositoryCredentials(t *testing.T) {
	for _, tc := range []struct {
		kind    string
		edits   []string
		arcRef  string
		fluxRef string
	}{
		{kind: "none"},
		{kind: "https", edits: withCredentials("https"), arcRef: "ledger-git", fluxRef: "git-https"},
		{kind: "ssh", edits: append(withCredentials("ssh"),
			`url:      "https://git.example.com/testnet.git"`, `url:      "ssh://git@git.example.com/testnet.git"`),
			arcRef: "ledger-git", fluxRef: "git-ssh"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			network := baseNetwork(t, tc.edits...)
			arc, err := flux.Cluster(network, peering.Of(network), network.Clusters["alpha-aks"], nil)
			if err != nil {
				t.Fatal(err)
			}
			var template struct {
				Resources []map[string]any `json:"resources"`
			}
			if err := json.Unmarshal(arc["arc/fluxconfiguration.json"], &template); err != nil {
				t.Fatal(err)
			}
			var git map[string]any
			for _, r := range template.Resources {
				if r["type"] == flux.FluxConfigurationType {
					git = r["properties"].(map[string]any)["gitRepository"].(map[string]any)
				}
			}
			if got, _ := git["localAuthRef"].(string); got != tc.arcRef {
				t.Errorf("ARM localAuthRef = %q, want %q", got, tc.arcRef)
			}
			bicep := string(arc["arc/fluxconfiguration.bicep"])
			if tc.arcRef != "" && !strings.Contains(bicep, "localAuthRef: '"+tc.arcRef+"'") || tc.arcRef == "" && strings.Contains(bicep, "localAuthRef") {
				t.Errorf("Bicep localAuthRef, want %q:\n%s", tc.arcRef, bicep)
			}
			opts := splitArgv(t, runWithStubAz(t, arc["arc/create.sh"]))
			if got := strings.Join(opts["--local-auth-ref"], " "); got != tc.arcRef {
				t.Errorf("az --local-auth-ref %q, want %q", got, tc.arcRef)
			}
			// The secret itself never travels through ARM or the script.
			for _, key := range []string{"configurationProtectedSettings", "httpsKey", "sshPrivateKey"} {
				if strings.Contains(string(arc["arc/fluxconfiguration.json"]), key) {
					t.Errorf("ARM template carries %s", key)
				}
			}
			if _, ok := opts["--https-key"]; ok {
				t.Error("script passes --https-key")
			}

			plain, err := flux.Cluster(network, peering.Of(network), network.Clusters["beta-onprem"], nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, obj := range testenv.DecodeObjects(t, plain["sync.yaml"]) {
				if obj.GetKind() != "GitRepository" {
					continue
				}
				spec := obj.Object["spec"].(map[string]any)
				ref, _ := spec["secretRef"].(map[string]any)
				if got, _ := ref["name"].(string); got != tc.fluxRef {
					t.Errorf("GitRepository %s secretRef %v, want %q", obj.GetName(), ref, tc.fluxRef)
				}
			}
		})
	}
}
