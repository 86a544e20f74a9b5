package besu

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// reference loads the repository's reference network (cue/network.cue).
func reference(t *testing.T) *model.Network {
	t.Helper()
	result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	return result.Network
}

// rendered is what the renderer produced for one node, decoded back into typed objects
// from the YAML it wrote (so the tests read what a cluster would apply).
type rendered struct {
	sts      *appsv1.StatefulSet
	services []*corev1.Service
	policy   *networkingv1.NetworkPolicy
	other    []map[string]any
}

func renderNetwork(t *testing.T, network *model.Network) map[string]Files {
	t.Helper()
	shared, err := RenderShared(network)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Files{}
	byParty := network.NodesByParty()
	for _, name := range network.PartyNames() {
		files, err := Party(network, network.Parties[name], byParty[name], shared)
		if err != nil {
			t.Fatalf("party %s: %v", name, err)
		}
		out[name] = files
	}
	return out
}

// renderNodes renders the network and decodes every node's node.yaml.
func renderNodes(t *testing.T, network *model.Network) map[string]rendered {
	t.Helper()
	out := map[string]rendered{}
	for party, files := range renderNetwork(t, network) {
		for _, node := range network.NodesByParty()[party] {
			data := files["nodes/"+node.Name+"/"+NodeFile]
			if data == nil {
				t.Fatalf("node %s: no %s", node.Name, NodeFile)
			}
			out[node.Name] = decodeNode(t, data)
		}
	}
	return out
}

func decodeNode(t *testing.T, data []byte) rendered {
	t.Helper()
	var r rendered
	for _, doc := range bytes.Split(data, []byte("\n---\n")) {
		var head struct{ Kind string }
		if err := yaml.Unmarshal(doc, &head); err != nil {
			t.Fatal(err)
		}
		var err error
		switch head.Kind {
		case "StatefulSet":
			r.sts = &appsv1.StatefulSet{}
			err = yaml.UnmarshalStrict(doc, r.sts)
		case "Service":
			svc := &corev1.Service{}
			err = yaml.UnmarshalStrict(doc, svc)
			r.services = append(r.services, svc)
		case "NetworkPolicy":
			r.policy = &networkingv1.NetworkPolicy{}
			err = yaml.UnmarshalStrict(doc, r.policy)
		default:
			obj := map[string]any{}
			err = yaml.Unmarshal(doc, &obj)
			r.other = append(r.other, obj)
		}
		if err != nil {
			t.Fatalf("%s: %v", head.Kind, err)
		}
	}
	if r.sts == nil || r.policy == nil {
		t.Fatal("node.yaml lacks its StatefulSet or NetworkPolicy")
	}
	return r
}

func container(t *testing.T, sts *appsv1.StatefulSet, name string) corev1.Container {
	t.Helper()
	spec := sts.Spec.Template.Spec
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("%s: no container %q", sts.Name, name)
	return corev1.Container{}
}

// options splits Besu's --name=value arguments.
func options(t *testing.T, args []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, arg := range args {
		name, value, ok := strings.Cut(arg, "=")
		if !ok || !strings.HasPrefix(name, "--") {
			t.Fatalf("argument %q is not --name=value", arg)
		}
		if _, dup := out[name]; dup {
			t.Fatalf("option %s given twice", name)
		}
		out[name] = value
	}
	return out
}

// withNode returns a copy of the network with one more node (and a fresh identity).
func withNode(t *testing.T, network *model.Network, node model.Node) *model.Network {
	t.Helper()
	out := clone(network)
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	pub := crypto.FromECDSAPub(&key.PublicKey)[1:]
	out.Nodes[node.Name] = node
	out.Identities[node.Name] = model.Identity{
		Address:   strings.ToLower(crypto.PubkeyToAddress(key.PublicKey).Hex()),
		PublicKey: fmt.Sprintf("0x%x", pub),
	}
	return out
}

// clone copies the maps a test may change.
func clone(network *model.Network) *model.Network {
	out := *network
	out.Nodes = map[string]model.Node{}
	for k, v := range network.Nodes {
		out.Nodes[k] = v
	}
	out.Identities = map[string]model.Identity{}
	for k, v := range network.Identities {
		out.Identities[k] = v
	}
	out.Clusters = map[string]model.Cluster{}
	for k, v := range network.Clusters {
		out.Clusters[k] = v
	}
	out.Parties = map[string]model.Party{}
	for k, v := range network.Parties {
		out.Parties[k] = v
	}
	return &out
}

func itoa(i int) string { return fmt.Sprint(i) }

// scriptVariables are the environment variables a node script reads (${NAME} or
// ${NAME:…}), less testOnly, which only the tests set: the contract its container's env
// must meet exactly.
func scriptVariables(t *testing.T, script, testOnly string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("scripts", script))
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`\$\{([A-Z_]+)[:}]`).FindAllStringSubmatch(string(data), -1) {
		used[m[1]] = true
	}
	delete(used, testOnly)
	return used
}
