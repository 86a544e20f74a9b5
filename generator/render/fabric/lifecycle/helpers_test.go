package lifecycle

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// testNetwork has three parties, each with one orderer (a consenter) and peers, and
// one channel ("trade.eu": a '.' a Kubernetes name may not hold) with one chaincode
// ("asset_transfer": a '_' neither) committed by party a.
func testNetwork() *model.Network {
	node := func(name, party, role string, p2p, rpc int, host string) model.Node {
		return model.Node{Name: name, Party: party, Role: role, Image: "registry.example/fabric-" + role + "@sha256:00",
			Ports: model.Ports{P2P: p2p, RPC: rpc, Metrics: 9443}, Endpoint: model.Endpoint{Host: host, Port: 443}}
	}
	nodes := []model.Node{
		node("a-orderer0", "a", model.RoleOrderer, 7050, 7053, "orderer0.a.example"),
		node("a-peer0", "a", model.RolePeer, 7051, 7052, "peer0.a.example"),
		node("a-peer1", "a", model.RolePeer, 7051, 7052, "peer1.a.example"),
		node("b-orderer0", "b", model.RoleOrderer, 7050, 7053, "orderer0.b.example"),
		node("b-peer0", "b", model.RolePeer, 7051, 7052, "peer0.b.example"),
		node("c-orderer0", "c", model.RoleOrderer, 7050, 7053, "orderer0.c.example"),
		node("c-peer0", "c", model.RolePeer, 7051, 7052, "peer0.c.example"),
	}
	n := &model.Network{
		Name:     "consortium",
		Platform: model.PlatformFabric,
		Parties: map[string]model.Party{
			"a": {Name: "a", Namespace: "ledger-a", MSPID: "AMSP"},
			"b": {Name: "b", Namespace: "ledger-b", MSPID: "BMSP"},
			"c": {Name: "c", Namespace: "ledger-c", MSPID: "CMSP"},
		},
		Nodes: map[string]model.Node{},
		Fabric: &model.Fabric{
			Version: model.Fabric25,
			Images:  model.FabricImages{Tools: "registry.example/fabric-tools@sha256:11", CouchDB: "registry.example/couchdb@sha256:22"},
			Channels: map[string]model.Channel{
				"trade.eu": {
					Name:       "trade.eu",
					Members:    []string{"a", "b", "c"},
					Consenters: []string{"a-orderer0", "b-orderer0", "c-orderer0"},
					Chaincodes: map[string]model.Chaincode{
						"asset_transfer": {Name: "asset_transfer", Image: "registry.example/asset@sha256:33", Version: "1.0",
							Sequence: 1, Label: "asset_transfer_1.0", Committer: "a", Port: 9999},
					},
					GenesisBlock: base64.StdEncoding.EncodeToString([]byte("genesis block of trade.eu")),
				},
			},
		},
	}
	for _, nd := range nodes {
		n.Nodes[nd.Name] = nd
	}
	return n
}

// partyNodes returns the party's nodes.
func partyNodes(n *model.Network, party string) []model.Node {
	var out []model.Node
	for _, name := range n.NodeNames() {
		if n.Nodes[name].Party == party {
			out = append(out, n.Nodes[name])
		}
	}
	return out
}

func render(t *testing.T, n *model.Network, party string) map[string]any {
	t.Helper()
	objects, err := Objects(n, n.Parties[party], partyNodes(n, party))
	if err != nil {
		t.Fatalf("Objects: %v", err)
	}
	return objects
}

func jobAt(t *testing.T, objects map[string]any, file string) *batchv1.Job {
	t.Helper()
	job, ok := objects[file].(*batchv1.Job)
	if !ok {
		t.Fatalf("%s is %T, want a Job; files: %v", file, objects[file], slices.Sorted(mapKeys(objects)))
	}
	return job
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// runJob runs a rendered Job's script with the local bash and the Job's own
// environment, the fake CLIs first in PATH. The root filesystem of the Job's pod is
// read-only and /tmp is its only writable place; TMPDIR points nowhere so that a
// script needing a temporary file fails here.
func runJob(t *testing.T, job *batchv1.Job, bin, state string, extra ...string) (string, error) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	c := job.Spec.Template.Spec.Containers[0]
	script := filepath.Join("scripts", path.Base(c.Command[len(c.Command)-1]))
	env := []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "FAKE=" + state, "TMPDIR=/nonexistent"}
	for _, e := range c.Env {
		env = append(env, e.Name+"="+e.Value)
		if e.Name == "BLOCK_GZ" {
			// The channel ConfigMap's entry, where the Job would mount it: the
			// test network's block ("genesis block of <channel>") gzipped, which
			// the script decompresses with the real gzip into HOME, the pod's tmp.
			home, gz := filepath.Join(state, "home"), filepath.Join(state, "genesis.block.gz")
			if err := os.MkdirAll(home, 0o755); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			w := gzip.NewWriter(&buf)
			fmt.Fprintf(w, "genesis block of %s", envOf(c, "CHANNEL"))
			w.Close()
			writeFile(t, state, "genesis.block.gz", buf.String())
			env = append(env, "HOME="+home, "BLOCK_GZ="+gz)
		}
	}
	cmd := exec.Command(bash, script)
	cmd.Env = append(env, extra...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// calls returns the fake CLIs' recorded invocations and forgets them.
func calls(t *testing.T, state string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(state, "calls"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(state, "calls"))
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func envOf(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}
