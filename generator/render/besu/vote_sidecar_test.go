package besu

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv/besurpc"
)

// Every validator, and only a validator, runs validator-vote beside Besu: the same
// image, small resources and restricted security context as peer-sync, the list from
// the validator-votes ConfigMap (required: without its list a validator would not
// know it has none) mounted whole and read-only.
func TestOnlyValidatorsRunTheVoteSidecar(t *testing.T) {
	for _, network := range variants(t) {
		for name, r := range renderNodes(t, network) {
			node := network.Nodes[name]
			spec := r.sts.Spec.Template.Spec
			i := slices.IndexFunc(spec.Containers, func(c corev1.Container) bool { return c.Name == "validator-vote" })
			v := slices.IndexFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == "votes" })
			if !node.IsValidator() {
				if i >= 0 || v >= 0 {
					t.Errorf("%s (%s) runs validator-vote or mounts the votes", name, node.Role)
				}
				continue
			}
			if i < 0 || v < 0 {
				t.Fatalf("validator %s: no validator-vote container or votes volume", name)
			}
			sidecar, peerSync := spec.Containers[i], container(t, r.sts, "peer-sync")
			if sidecar.Image != node.Image || !slices.Equal(sidecar.Command, []string{"/bin/bash", "/config/scripts/validator-vote.sh"}) {
				t.Errorf("%s: image %s, command %q", name, sidecar.Image, sidecar.Command)
			}
			if !equalYAML(t, sidecar.SecurityContext, peerSync.SecurityContext) || !equalYAML(t, sidecar.Resources, peerSync.Resources) {
				t.Errorf("%s: security context or resources differ from peer-sync's", name)
			}
			env := map[string]string{}
			for _, e := range sidecar.Env {
				env[e.Name] = e.Value
			}
			if env["VOTES_FILE"] != "/config/votes/votes" || env["ADMIN_PORT"] != strconv.Itoa(node.Ports.RPC) || env["VOTE_INTERVAL"] != "30" {
				t.Errorf("%s: env %v", name, env)
			}
			cm := spec.Volumes[v].ConfigMap
			if cm == nil || cm.Name != VotesConfigMap || cm.Optional == nil || *cm.Optional {
				t.Errorf("%s: votes volume %+v, want ConfigMap %s, optional false", name, spec.Volumes[v], VotesConfigMap)
			}
			for _, m := range sidecar.VolumeMounts {
				if m.Name == "votes" && (m.MountPath != "/config/votes" || !m.ReadOnly || m.SubPath != "") {
					t.Errorf("%s: votes mount %+v (a subPath mount is never refreshed)", name, m)
				}
			}
		}
	}
}

// The container gives the script every variable it needs and nothing it ignores.
func TestVoteSidecarEnvIsTheScriptsContract(t *testing.T) {
	used := scriptVariables(t, validatorVoteScript, "VOTE_ONCE")
	network := reference(t)
	for name, r := range renderNodes(t, network) {
		if !network.Nodes[name].IsValidator() {
			continue
		}
		set := map[string]bool{}
		for _, e := range container(t, r.sts, "validator-vote").Env {
			set[e.Name] = true
		}
		for v := range used {
			if !set[v] {
				t.Errorf("%s: the script reads %s, the container does not set it", name, v)
			}
		}
		for v := range set {
			if !used[v] {
				t.Errorf("%s: the container sets %s, the script never reads it", name, v)
			}
		}
	}
}

// The consensus API (QBFT or IBFT per the network's algorithm: Besu 24.12.2
// consensus/qbft/.../jsonrpc/QbftJsonRpcMethods.java and consensus/ibft/.../
// IbftJsonRpcMethods.java register the vote methods under RpcApis.QBFT and .IBFT) is
// served to a validator's sidecar on 127.0.0.1 only, never on a listener other pods
// reach; members keep ADMIN alone; RPC nodes keep their public API unchanged.
func TestConsensusAPIOnlyOnLoopback(t *testing.T) {
	for _, network := range variants(t) {
		api := map[string]string{model.QBFT: "QBFT", model.IBFT2: "IBFT"}[network.Consensus.Algorithm]
		for name, node := range network.Nodes {
			opts := options(t, Args(network, node))
			want := map[string]string{
				model.RoleValidator: "ADMIN," + api,
				model.RoleMember:    "ADMIN",
				model.RoleRPC:       "ETH,NET,WEB3,TXPOOL," + api,
			}[node.Role]
			if opts["--rpc-http-api"] != want {
				t.Errorf("%s (%s): --rpc-http-api=%s, want %s", name, node.Role, opts["--rpc-http-api"], want)
			}
			if node.Role != model.RoleRPC && opts["--rpc-http-host"] != "127.0.0.1" {
				t.Errorf("%s: the admin and consensus APIs listen on %s", name, opts["--rpc-http-host"])
			}
			for key := range opts {
				if strings.HasPrefix(key, "--graphql") || strings.HasPrefix(key, "--engine-rpc") ||
					(strings.HasPrefix(key, "--rpc-ws") && node.Role != model.RoleRPC) {
					t.Errorf("%s: a second listener %s", name, key)
				}
			}
			// An RPC node's second listener, WebSocket (Besu 24.12.2 besu/.../cli/options/
			// RpcWebsocketOptions.java: its own host and API list), serves ADMIN to its
			// peer-sync on loopback and nothing else.
			if node.Role == model.RoleRPC && (opts["--rpc-ws-host"] != "127.0.0.1" || opts["--rpc-ws-api"] != "ADMIN" ||
				opts["--rpc-ws-port"] != itoa(AdminWSPort(node)) || strings.Contains(opts["--rpc-http-api"], "ADMIN")) {
				t.Errorf("%s: WebSocket listener %s:%s with %s, HTTP API %s", name, opts["--rpc-ws-host"], opts["--rpc-ws-port"], opts["--rpc-ws-api"], opts["--rpc-http-api"])
			}
		}
		for name, r := range renderNodes(t, network) {
			node := network.Nodes[name]
			loopback := node.Ports.RPC
			if node.Role == model.RoleRPC {
				loopback = AdminWSPort(node)
			}
			for _, c := range r.sts.Spec.Template.Spec.Containers {
				if len(c.Ports) > 0 && slices.ContainsFunc(c.Ports, func(p corev1.ContainerPort) bool { return p.ContainerPort == int32(loopback) }) {
					t.Errorf("%s: the loopback ADMIN port is declared on container %s", name, c.Name)
				}
			}
			for _, s := range r.services {
				for _, p := range s.Spec.Ports {
					if p.Port == int32(loopback) || p.TargetPort.IntValue() == loopback {
						t.Errorf("%s: Service %s exposes the loopback ADMIN port", name, s.Name)
					}
				}
			}
		}
	}
}

// Every party's shared/ carries the same validator-votes ConfigMap (its kustomization
// puts it in the party's namespace), and the file the renderer writes is one the
// sidecar acts on: a launched network with a validator pending makes the real script
// propose exactly that vote against the Besu fake.
func TestRenderedVotesAreWhatTheSidecarCasts(t *testing.T) {
	network := reference(t)
	network.Launched = true
	network.Governance.OnChain = network.DesiredValidators()
	joining := "woodgrove-validator-1"
	address := network.Governance.OnChain[joining]
	delete(network.Governance.OnChain, joining)

	var shared []byte
	for party, files := range renderNetwork(t, network) {
		data := files["shared/validator-votes.yaml"]
		if shared == nil {
			shared = data
		}
		if string(data) != string(shared) {
			t.Errorf("party %s: validator-votes differs from another party's", party)
		}
		if !strings.Contains(string(files["shared/kustomization.yaml"]), "- validator-votes.yaml") {
			t.Errorf("party %s: shared/kustomization.yaml does not list validator-votes.yaml", party)
		}
	}
	var cm corev1.ConfigMap
	if err := yaml.UnmarshalStrict(shared, &cm); err != nil {
		t.Fatal(err)
	}
	if cm.Name != VotesConfigMap || len(cm.Data) != 1 {
		t.Fatalf("validator-votes:\n%s", shared)
	}

	// The chain already has every other validator; joining is the one to vote in.
	var current []common.Address
	for _, a := range network.Governance.OnChain {
		current = append(current, common.HexToAddress(a))
	}
	chain := besurpc.NewChain(besurpc.QBFT, 30000, current)
	node := chain.AddNode(t, current[0])
	log := vote(t, node, writeVotes(t, cm.Data[VotesFile]))
	want := "qbft_proposeValidatorVote " + address + " true"
	if got := proposals(node); len(got) != 1 || !strings.Contains(got[0], address) {
		t.Errorf("sidecar calls %v for the rendered votes (want one proposal for %s); log:\n%s\nvotes:\n%s", got, want, log, cm.Data[VotesFile])
	}
}

func equalYAML(t *testing.T, a, b any) bool {
	t.Helper()
	x, err := yaml.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := yaml.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(x) == string(y)
}
