package fabric_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/resid"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/identity"
)

// Each cluster's directory builds with krusty (kubectl kustomize's library, default
// root-only loading) once the keys command has written the sealed Secrets: everything
// lands in the party's namespace with its party label, one StatefulSet per node.
func TestEveryClusterDirectoryBuildsWithKustomize(t *testing.T) {
	n := referenceNetwork(t)
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	for party, files := range renderParties(t, n) {
		root := t.TempDir()
		for p, data := range files {
			writeFile(t, filepath.Join(root, p), data)
		}
		// What flux-ledger keys writes (sealed, here in the clear).
		for _, node := range n.NodesByParty()[party] {
			writeFile(t, filepath.Join(root, "secrets", identity.SecretName(node.Name)+".yaml"), secret(identity.SecretName(node.Name), n.Parties[party].Namespace, party))
		}
		writeFile(t, filepath.Join(root, "secrets", identity.FabricAdminSecret+".yaml"), secret(identity.FabricAdminSecret, n.Parties[party].Namespace, party))
		for _, cluster := range n.ClustersByParty()[party] {
			res, err := k.Run(filesys.MakeFsOnDisk(), filepath.Join(root, "clusters", cluster.Name))
			if err != nil {
				t.Fatalf("%s: %v", cluster.Name, err)
			}
			kinds := map[string]int{}
			for _, r := range res.Resources() {
				kinds[r.GetKind()]++
				if r.GetNamespace() != n.Parties[party].Namespace || r.GetLabels()["ledger.flux-ledger.dev/party"] != party {
					t.Errorf("%s: %s/%s in namespace %q, party %q", cluster.Name, r.GetKind(), r.GetName(), r.GetNamespace(), r.GetLabels()["ledger.flux-ledger.dev/party"])
				}
			}
			if kinds["StatefulSet"] != 2 || kinds["PodDisruptionBudget"] != 1 || kinds["Secret"] != 3 {
				t.Errorf("%s: kinds %v", cluster.Name, kinds)
			}
			// The peers' core.yaml (FABRIC_CFG_PATH) comes with the shared files.
			if _, err := res.GetById(resid.NewResIdWithNamespace(resid.NewGvk("", "v1", "ConfigMap"), "peer-core", n.Parties[party].Namespace)); err != nil {
				t.Errorf("%s: no peer-core ConfigMap: %v", cluster.Name, err)
			}
		}
	}
}

// secrets/kustomization.yaml applies every node's Secret and the admin's, never the
// CAs' keys (identity.FabricCASecret stays in Git only).
func TestSecretsKustomizationNeverAppliesTheCAKeys(t *testing.T) {
	n := referenceNetwork(t)
	for party, files := range renderParties(t, n) {
		var k struct{ Resources []string }
		if err := yaml.Unmarshal(files["secrets/kustomization.yaml"], &k); err != nil {
			t.Fatal(err)
		}
		want := []string{identity.FabricAdminSecret + ".yaml"}
		for _, node := range n.NodesByParty()[party] {
			want = append(want, identity.SecretName(node.Name)+".yaml")
		}
		slices.Sort(want)
		if !slices.Equal(k.Resources, want) || slices.Contains(k.Resources, identity.FabricCASecret+".yaml") {
			t.Errorf("%s: secrets %v, want %v", party, k.Resources, want)
		}
	}
}

// Rendering twice gives the same bytes, and the network-wide files are the same in
// every party's directory.
func TestRenderIsDeterministicAndSharedFilesAgree(t *testing.T) {
	n := referenceNetwork(t)
	first, second := renderParties(t, n), renderParties(t, n)
	for party, files := range first {
		for p, data := range files {
			if !bytes.Equal(second[party][p], data) {
				t.Errorf("%s/%s differs between two renders", party, p)
			}
		}
	}
	shared := []string{"shared/tls-roots.yaml", "shared/couchdb.yaml", "shared/channel-trade.yaml"}
	for _, p := range shared {
		if !bytes.Equal(first["contoso"][p], first["fabrikam"][p]) || !bytes.Equal(first["contoso"][p], first["northwind"][p]) {
			t.Errorf("%s differs between parties", p)
		}
		if len(first["contoso"][p]) == 0 {
			t.Errorf("%s missing", p)
		}
	}
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// secret stands for a sealed Secret as flux-ledger keys writes it: in the party's
// namespace, with its party label.
func secret(name, namespace, party string) []byte {
	return []byte("apiVersion: v1\nkind: Secret\nmetadata:\n  name: " + name + "\n  namespace: " + namespace +
		"\n  labels:\n    ledger.flux-ledger.dev/party: " + party + "\n")
}
