package besu

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv/besurpc"
)

// peerSyncEnv is one node's Besu (the fake, with the ADMIN API), its files and a DNS
// that the test controls for both sides: the fake's Besu resolves through
// chain.SetHost, the script's getent through a stand-in earlier in PATH.
type peerSyncEnv struct {
	t                             *testing.T
	chain                         *besurpc.Chain
	node                          *besurpc.Node
	peers, resolved, added, hosts string
	bin                           string
	ws                            bool // an RPC node: ADMIN over the WebSocket listener
}

func newPeerSyncEnv(t *testing.T) *peerSyncEnv {
	t.Helper()
	dir := t.TempDir()
	e := &peerSyncEnv{t: t, peers: filepath.Join(dir, "static-nodes.json"), resolved: filepath.Join(dir, "resolved.json"),
		added: filepath.Join(dir, "added"), hosts: filepath.Join(dir, "hosts"), bin: filepath.Join(dir, "bin")}
	validator := common.HexToAddress("0x" + strings.Repeat("1", 40))
	e.chain = besurpc.NewChain(besurpc.QBFT, 30000, []common.Address{validator})
	e.node = e.chain.AddNode(t, validator)
	e.node.SetNodeID(selfID)
	os.Mkdir(e.bin, 0o700)
	getent := "#!/bin/bash\n[[ $1 == ahostsv4 ]] || exit 2\nwhile read -r ip name; do\n  [[ $name == \"$2\" ]] && { echo \"$ip       STREAM $name\"; exit 0; }\ndone <\"$FAKE_HOSTS\"\nexit 2\n"
	if err := os.WriteFile(filepath.Join(e.bin, "getent"), []byte(getent), 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(e.hosts, nil, 0o600)
	return e
}

// host makes name resolve to ip, for Besu and for the script alike.
func (e *peerSyncEnv) host(name, ip string) {
	e.chain.SetHost(name, ip)
	data, _ := os.ReadFile(e.hosts)
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if l != "" && !strings.HasSuffix(l, " "+name) {
			lines = append(lines, l)
		}
	}
	os.WriteFile(e.hosts, []byte(strings.Join(append(lines, ip+" "+name), "\n")+"\n"), 0o600)
}

// round runs one round of the sidecar; it returns the log and the ADMIN calls.
func (e *peerSyncEnv) round() (string, []string) {
	e.t.Helper()
	e.node.ResetCalls()
	admin := "ADMIN_PORT=" + e.node.Port()
	if e.ws {
		admin = "ADMIN_WS_PORT=" + e.node.WSPort()
	}
	out, err := runScript(e.t, peerSyncScript, "PATH="+e.bin+":"+os.Getenv("PATH"), "FAKE_HOSTS="+e.hosts,
		"PEERS_FILE="+e.peers, "RESOLVED_FILE="+e.resolved, "ADDED_FILE="+e.added, "NODE_ID="+selfID,
		admin, "PEER_SYNC_ONCE=1")
	if err != nil {
		e.t.Fatalf("peer-sync exited: %v\n%s", err, out)
	}
	var changes []string
	for _, c := range e.node.Calls() {
		if !strings.HasPrefix(c, "admin_peers") {
			changes = append(changes, c)
		}
	}
	return out, changes
}

func peerCall(method, enode string) string { return method + ` ["` + enode + `"]` }

func peerAt(id, host, port string) string { return "enode://" + id + "@" + host + ":" + port }

// Besu 24.12.2 ethereum/p2p/.../peers/EnodeURLImpl.java: equals and hashCode resolve a
// peer's name again on every call, and MaintainedPeers.java keeps peers in a hash set,
// so admin_removePeer (AdminRemovePeer.java, DefaultP2PNetwork.
// removeMaintainedConnectionPeer) finds a peer added by name only while the name
// resolves where it did. peer-sync therefore adds a peer by the address its name
// resolves to, removes it with exactly that string, and moves it when the name moves.
func TestPeerSyncAddsByAddressAndRemovesWhatItAdded(t *testing.T) {
	e := newPeerSyncEnv(t)
	e.host("peer-a.test", "10.0.0.2")
	e.host("peer-b.test", "10.0.0.3")
	a, b := peerAt(peerAID, "peer-a.test", "30304"), peerAt(peerBID, "peer-b.test", "30305")
	self := peerAt(selfID, "peer-self.test", "30303")
	writeEnodes(t, e.resolved, a) // what Besu loaded at start
	e.node.StartWith(a)
	writeEnodes(t, e.peers, self, b) // the list now: a left, b joined

	bAt3 := peerAt(peerBID, "10.0.0.3", "30305")
	log, calls := e.round()
	want := []string{peerCall("admin_addPeer", bAt3), peerCall("admin_removePeer", a)}
	if !slices.Equal(calls, want) || !slices.Equal(e.node.Maintained(), []string{bAt3}) {
		t.Errorf("calls %q, want %q; Besu keeps %q\n%s", calls, want, e.node.Maintained(), log)
	}
	if data, _ := os.ReadFile(e.added); string(data) != b+" "+bAt3+"\n" {
		t.Errorf("recorded %q", data)
	}

	// Nothing changed: Besu holds an outbound connection to b, nothing to do.
	if log, calls := e.round(); len(calls) != 0 || log != "" {
		t.Errorf("an idle round called %q\n%s", calls, log)
	}

	// b's name moves: the old address is taken back, the new one added.
	e.host("peer-b.test", "10.0.0.9")
	bAt9 := peerAt(peerBID, "10.0.0.9", "30305")
	log, calls = e.round()
	want = []string{peerCall("admin_removePeer", bAt3), peerCall("admin_addPeer", bAt9)}
	if !slices.Equal(calls, want) || !slices.Equal(e.node.Maintained(), []string{bAt9}) {
		t.Errorf("after the move: calls %q, want %q; Besu keeps %q\n%s", calls, want, e.node.Maintained(), log)
	}

	// b leaves the list: removed with the string it was added with (a run of the
	// sidecar that did not add it reads it from ADDED_FILE).
	writeEnodes(t, e.peers, self, a)
	aAt2 := peerAt(peerAID, "10.0.0.2", "30304")
	log, calls = e.round()
	if !slices.Contains(calls, peerCall("admin_removePeer", bAt9)) || !slices.Equal(e.node.Maintained(), []string{aAt2}) {
		t.Errorf("b left: calls %q; Besu keeps %q\n%s", calls, e.node.Maintained(), log)
	}
}

// Peers added with admin_addPeer live in Besu's memory only (Besu 24.12.2
// ethereum/p2p/.../peers/MaintainedPeers.java; a restart loads the static nodes file
// alone): the sidecar re-adds every listed peer Besu holds no connection to
// (admin_peers, AdminPeers.java), so a restarted Besu gets them all back.
func TestPeerSyncReaddsPeersAfterBesuRestarts(t *testing.T) {
	e := newPeerSyncEnv(t)
	e.host("peer-a.test", "10.0.0.2")
	e.host("peer-b.test", "10.0.0.3")
	writeEnodes(t, e.peers, peerAt(peerAID, "peer-a.test", "30304"), peerAt(peerBID, "peer-b.test", "30305"))
	want := []string{peerAt(peerAID, "10.0.0.2", "30304"), peerAt(peerBID, "10.0.0.3", "30305")}
	e.round()
	if got := e.node.Maintained(); len(got) != 2 {
		t.Fatalf("Besu keeps %q", got)
	}
	e.node.Restart()
	if len(e.node.Maintained()) != 0 {
		t.Fatal("the fake kept run-time peers over a restart")
	}
	log, _ := e.round()
	got := e.node.Maintained()
	slices.Sort(got)
	if !slices.Equal(got, want) || !strings.Contains(log, "added") {
		t.Errorf("after the restart Besu keeps %q, want %q\n%s", got, want, log)
	}
}

// An RPC node serves no ADMIN on its public HTTP listener; its peer-sync reaches ADMIN
// on the loopback WebSocket listener (Besu 24.12.2 ethereum/api/.../jsonrpc/websocket/
// WebSocketService.java; a reply longer than 8000 bytes comes in several frames,
// websocket/JsonResponseStreamer.java) with the same lifecycle: added by address,
// re-added after a restart.
func TestPeerSyncOnRPCNodesUsesTheWebSocketListener(t *testing.T) {
	e := newPeerSyncEnv(t)
	e.ws = true
	e.node.DisableAdminAPI()
	e.node.StartWS(t)
	// Enough connected peers that admin_peers spans several frames.
	var static []string
	for i := range 30 {
		host := "static-" + itoa(i) + ".test"
		e.host(host, "10.0.2."+itoa(i))
		static = append(static, peerAt(strings.Repeat("4", 124)+fmt4(i), host, "30303"))
	}
	writeEnodes(t, e.resolved, static...)
	e.node.StartWith(static...)
	e.host("peer-a.test", "10.0.0.2")
	a := peerAt(peerAID, "peer-a.test", "30304")
	writeEnodes(t, e.peers, append(static, a)...)
	aAt2 := peerAt(peerAID, "10.0.0.2", "30304")
	log, calls := e.round()
	if !slices.Equal(calls, []string{peerCall("admin_addPeer", aAt2)}) {
		t.Errorf("calls %q, want only the add of %s\n%s", calls, aAt2, log)
	}
	e.node.Restart()
	if log, calls := e.round(); !slices.Equal(calls, []string{peerCall("admin_addPeer", aAt2)}) || !slices.Contains(e.node.Maintained(), aAt2) {
		t.Errorf("after a restart: calls %q, Besu keeps %d peers\n%s", calls, len(e.node.Maintained()), log)
	}
}

func fmt4(i int) string { s := "000" + itoa(i); return s[len(s)-4:] }

// A peer whose name does not resolve yet is not handed to Besu (with --Xdns-update-
// enabled it would be pinned to 127.0.0.1: EnodeURLImpl.Builder.ipAddress); an empty
// or unreadable list never means "remove every peer"; without the ADMIN API (Besu
// answers "Method not enabled", RpcErrorType METHOD_NOT_ENABLED) the sidecar logs and
// keeps running.
func TestPeerSyncLeavesBesuAloneWhenInDoubt(t *testing.T) {
	e := newPeerSyncEnv(t)
	e.host("peer-a.test", "10.0.0.2")
	a := peerAt(peerAID, "peer-a.test", "30304")
	writeEnodes(t, e.resolved, a)
	e.node.StartWith(a)
	writeEnodes(t, e.peers, a, peerAt(peerBID, unresolvable, "30305"))
	if log, calls := e.round(); len(calls) != 0 {
		t.Errorf("calls %q\n%s", calls, log)
	}
	writeEnodes(t, e.peers)
	if log, calls := e.round(); len(calls) != 0 {
		t.Errorf("empty list: calls %q\n%s", calls, log)
	}
	os.Remove(e.peers)
	if log, calls := e.round(); len(calls) != 0 {
		t.Errorf("missing list: calls %q\n%s", calls, log)
	}
	writeEnodes(t, e.peers, peerAt(peerBID, "peer-a.test", "30305"))
	e.node.DisableAdminAPI()
	if log, _ := e.round(); !strings.Contains(log, "Method not enabled") {
		t.Errorf("log without the ADMIN API:\n%s", log)
	}
}

// Every node, RPC nodes too, runs peer-sync. The container gives it every variable it
// reads and nothing it ignores; the
// scripts ConfigMap every party applies ships http.sh beside the scripts that source it
// (they source it from their own directory, the whole ConfigMap's mount).
func TestPeerSyncEnvAndScriptsShipped(t *testing.T) {
	used := scriptVariables(t, peerSyncScript, "PEER_SYNC_ONCE")
	network := reference(t)
	for name, r := range renderNodes(t, network) {
		// One transport each: RPC nodes reach ADMIN over the WebSocket listener.
		want := maps.Clone(used)
		if network.Nodes[name].Role == model.RoleRPC {
			delete(want, "ADMIN_PORT")
		} else {
			delete(want, "ADMIN_WS_PORT")
		}
		set := map[string]bool{}
		for _, e := range container(t, r.sts, "peer-sync").Env {
			set[e.Name] = true
		}
		if !maps.Equal(set, want) {
			t.Errorf("%s: the container sets %v, the script reads %v", name, slices.Sorted(maps.Keys(set)), slices.Sorted(maps.Keys(want)))
		}
	}
	for party, files := range renderNetwork(t, network) {
		var cm corev1.ConfigMap
		if err := yaml.UnmarshalStrict(files["shared/scripts.yaml"], &cm); err != nil {
			t.Fatalf("party %s: %v", party, err)
		}
		for _, s := range []string{httpScript, peerSyncScript, readyScript, liveScript, validatorVoteScript} {
			if cm.Data[s] == "" {
				t.Errorf("party %s: %s lacks %s", party, cm.Name, s)
			}
		}
	}
}
