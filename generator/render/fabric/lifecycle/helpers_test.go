package lifecycle

import (
	"encoding/base64"
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

// fakePeer stands in for the peer CLI. It appends "peer@<CORE_PEER_ADDRESS> <args>" to
// $FAKE/calls and keeps the peer's state in files under $FAKE: the joined channels,
// the installed package IDs per peer, the approvals and the committed sequence. Its
// outputs are the peer CLI's own formats (see the tests citing them). Failures print
// "Error: …" on stderr and exit 1, as cobra does.
const fakePeer = `#!/usr/bin/env bash
set -u
printf 'peer@%s %s\n' "${CORE_PEER_ADDRESS:-}" "$*" >> "$FAKE/calls"
fail() { printf 'Error: %s\n' "$*" >&2; exit 1; }
arg() { local want=$1; shift; while (($#)); do if [[ $1 == "$want" ]]; then printf '%s' "$2"; return; fi; shift; done; }
case "$1 $2" in
"channel list")
	echo "Channels peers has joined: "
	cat "$FAKE/joined" 2>/dev/null || true
	;;
"channel join")
	if grep -Fxq "$CHANNEL" "$FAKE/joined" 2>/dev/null; then
		fail "proposal failed (err: bad proposal response 500: cannot create ledger from genesis block: ledger [$CHANNEL] already exists with state [ACTIVE])"
	fi
	echo "$CHANNEL" >> "$FAKE/joined"
	;;
"lifecycle chaincode")
	case "$3" in
	queryinstalled)
		echo "Installed chaincodes on peer:"
		while read -r id; do echo "Package ID: $id, Label: ${id%%:*}"; done < <(cat "$FAKE/installed-$CORE_PEER_ADDRESS" 2>/dev/null)
		;;
	install)
		[[ -n $4 ]] || fail "chaincode install package must be provided"
		echo "$PACKAGE_ID" >> "$FAKE/installed-$CORE_PEER_ADDRESS"
		;;
	querycommitted)
		if [[ -f $FAKE/committed ]]; then
			echo "Committed chaincode definition for chaincode '$NAME' on channel '$CHANNEL':"
			echo "Version: $VERSION, Sequence: $(cat "$FAKE/committed"), Endorsement Plugin: escc, Validation Plugin: vscc, Approvals: [AMSP: true, BMSP: true, CMSP: false]"
		else
			fail "query failed with status: 500 - failed to invoke backing implementation of 'QueryChaincodeDefinition': namespace $NAME is not defined"
		fi
		;;
	queryapproved)
		seq=$(arg --sequence "$@")
		line=$(grep "^$seq " "$FAKE/approved" 2>/dev/null | tail -n1)
		[[ -n $line ]] || fail "query failed with status: 500 - could not fetch approved chaincode definition (name: '$NAME', sequence: '$seq') on channel '$CHANNEL'"
		echo "Approved chaincode definition for chaincode '$NAME' on channel '$CHANNEL':"
		echo "sequence: $seq, version: $VERSION, init-required: false, package-id: ${line#* }, endorsement plugin: escc, validation plugin: vscc"
		;;
	approveformyorg | commit)
		if [[ -f $FAKE/orderer-down && $(arg -o "$@") == "$(cat "$FAKE/orderer-down")" ]]; then
			fail "failed to create new connection: context deadline exceeded"
		fi
		if [[ $3 == approveformyorg ]]; then
			echo "$(arg --sequence "$@") $(arg --package-id "$@")" >> "$FAKE/approved"
		else
			arg --sequence "$@" > "$FAKE/committed"
		fi
		;;
	checkcommitreadiness)
		n=$(cat "$FAKE/readiness-count" 2>/dev/null || echo 0)
		n=$((n + 1))
		echo "$n" > "$FAKE/readiness-count"
		f="$FAKE/readiness.$n"
		[[ -f $f ]] || f=$(ls "$FAKE"/readiness.* | sort -V | tail -n1)
		echo "Chaincode definition for chaincode '$NAME', version '$VERSION', sequence '$SEQUENCE' on channel '$CHANNEL' approval status by org:"
		cat "$f"
		;;
	*) fail "unknown command $3" ;;
	esac
	;;
*) fail "unknown command $*" ;;
esac
`

// fakeOsnadmin stands in for osnadmin: it records its arguments and answers like
// Fabric's osnadmin (Status line, JSON body, exit 0 whenever the orderer answered).
// $FAKE/osn-unreachable makes it fail to connect (exit 1); $FAKE/osn-answer, when
// present, is printed instead of the normal answer.
const fakeOsnadmin = `#!/usr/bin/env bash
set -u
printf 'osnadmin %s\n' "$*" >> "$FAKE/calls"
if [[ -f $FAKE/osn-unreachable ]]; then
	echo "Error: Post \"https://$ORDERER_ADMIN_ADDRESS/participation/v1/channels\": dial tcp: connect: connection refused"
	exit 1
fi
if [[ -f $FAKE/osn-answer ]]; then cat "$FAKE/osn-answer"; exit 0; fi
if grep -Fxq "$CHANNEL" "$FAKE/osn-joined" 2>/dev/null; then
	printf 'Status: 405\n{\n\t"error": "cannot join: channel already exists"\n}\n'
	exit 0
fi
echo "$CHANNEL" >> "$FAKE/osn-joined"
printf 'Status: 201\n{\n\t"name": "%s",\n\t"url": "/participation/v1/channels/%s",\n\t"consensusRelation": "consenter",\n\t"status": "onboarding",\n\t"height": 0\n}\n' "$CHANNEL" "$CHANNEL"
`

// fakeCLIs writes the fake peer and osnadmin into a directory for PATH and returns
// it and the state directory.
func fakeCLIs(t *testing.T) (bin, state string) {
	t.Helper()
	bin, state = t.TempDir(), t.TempDir()
	for name, text := range map[string]string{"peer": fakePeer, "osnadmin": fakeOsnadmin} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(text), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return bin, state
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
