package fabric_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

var (
	referenceOnce sync.Once
	referenceJSON []byte
	referenceErr  error
)

// referenceNetwork loads the Fabric reference network (examples/fabric/network.cue)
// and issues every party's
// CAs, admin and node certificates with package msp, as `flux-ledger keys init` would.
// Each call returns a fresh copy the test may change.
func referenceNetwork(t *testing.T) *model.Network {
	t.Helper()
	referenceOnce.Do(func() {
		referenceJSON, referenceErr = buildReference(testenv.Module(t, map[string]string{"network.cue": testenv.FabricExample(t)}))
	})
	if referenceErr != nil {
		t.Fatal(referenceErr)
	}
	var n model.Network
	if err := yaml.Unmarshal(referenceJSON, &n); err != nil {
		t.Fatal(err)
	}
	return &n
}

// buildReference loads the network of the module and issues its certificates.
func buildReference(module string) ([]byte, error) {
	result, err := load.Network(module)
	if err != nil {
		return nil, err
	}
	n := result.Network
	if err := testenv.IssueFabricIdentities(n); err != nil {
		return nil, err
	}
	return yaml.Marshal(n)
}

// renderParties renders every party's directory.
func renderParties(t *testing.T, n *model.Network) map[string]fabric.Files {
	t.Helper()
	render, err := fabric.Renderer(n)
	if err != nil {
		t.Fatal(err)
	}
	byParty := n.NodesByParty()
	out := map[string]fabric.Files{}
	for _, name := range n.PartyNames() {
		files, err := render(n.Parties[name], byParty[name])
		if err != nil {
			t.Fatalf("party %s: %v", name, err)
		}
		out[name] = files
	}
	return out
}

// documents splits a YAML stream into its documents.
func documents(data []byte) [][]byte {
	var out [][]byte
	for _, doc := range strings.Split(string(data), "\n---\n") {
		if strings.TrimSpace(doc) != "" {
			out = append(out, []byte(doc))
		}
	}
	return out
}

// kindOf reads a document's kind.
func kindOf(t *testing.T, doc []byte) string {
	t.Helper()
	var meta struct{ Kind string }
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		t.Fatal(err)
	}
	return meta.Kind
}

// statefulSets decodes every node's StatefulSet, by node name.
func statefulSets(t *testing.T, n *model.Network) map[string]*appsv1.StatefulSet {
	t.Helper()
	out := map[string]*appsv1.StatefulSet{}
	for party, files := range renderParties(t, n) {
		for _, node := range n.NodesByParty()[party] {
			for _, doc := range documents(files["nodes/"+node.Name+"/"+fabric.NodeFile]) {
				if kindOf(t, doc) != "StatefulSet" {
					continue
				}
				var sts appsv1.StatefulSet
				if err := yaml.Unmarshal(doc, &sts); err != nil {
					t.Fatal(err)
				}
				out[node.Name] = &sts
			}
		}
	}
	if len(out) != len(n.Nodes) {
		t.Fatalf("%d StatefulSets for %d nodes", len(out), len(n.Nodes))
	}
	return out
}

// mainContainer is the node's orderer or peer container (the encoder orders containers
// by name, so the CouchDB sidecar may come first).
func mainContainer(t *testing.T, sts *appsv1.StatefulSet) corev1.Container {
	t.Helper()
	for _, c := range sts.Spec.Template.Spec.Containers {
		if c.Name == "orderer" || c.Name == "peer" {
			return c
		}
	}
	t.Fatalf("%s: no orderer or peer container", sts.Name)
	return corev1.Container{}
}

func itoa(i int) string { return strconv.Itoa(i) }
