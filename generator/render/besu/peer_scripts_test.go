package besu

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// The node scripts run in the Besu image with bash and getent only (Besu 24.12.2
// docker/Dockerfile: FROM ubuntu:24.04, whose base system has both; the image's own
// besu-entry.sh is a bash script). These tests run them with the local bash against
// real name resolution and a real HTTP server standing in for Besu's JSON-RPC.

const (
	selfID  = "1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111aaaa"
	peerAID = "2222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222bbbb"
	peerBID = "3333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333cccc"
)

func runScript(t *testing.T, script string, env ...string) (string, error) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	cmd := exec.Command(bash, filepath.Join("scripts", script))
	// The containers' root filesystem is read-only: a script that needs a temporary
	// file (bash backs large here-documents with one in $TMPDIR) fails here too.
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "TMPDIR=/nonexistent"}, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func writeEnodes(t *testing.T, path string, enodes ...string) {
	t.Helper()
	data, _ := json.MarshalIndent(enodes, "", "  ")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// RFC 6761 reserves .invalid: it never resolves.
const unresolvable = "peer.flux-ledger.invalid"

// Besu 24.12.2 ethereum/p2p/.../peers/EnodeURLImpl.java Builder.ipAddress: with DNS
// update enabled, a host that does not resolve becomes 127.0.0.1 and keeps no hostname
// to retry. So Besu is started only with peers whose names resolve; after the bounded
// wait the others are left to peer-sync, and the log says which.
func TestWaitForPeersWritesOnlyResolvedPeers(t *testing.T) {
	dir := t.TempDir()
	peers, resolved := filepath.Join(dir, "static-nodes.json"), filepath.Join(dir, "resolved.json")
	self := "enode://" + selfID + "@localhost:30303"
	good := "enode://" + peerAID + "@localhost:30304"
	bad := "enode://" + peerBID + "@" + unresolvable + ":30305"
	writeEnodes(t, peers, self, good, bad)
	out, err := runScript(t, waitForPeersScript, "PEERS_FILE="+peers, "RESOLVED_FILE="+resolved,
		"NODE_ID="+selfID, "PEER_DNS_TIMEOUT=2", "PEER_DNS_INTERVAL=1")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var got []string
	data, _ := os.ReadFile(resolved)
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("resolved static nodes are not JSON: %v\n%s", err, data)
	}
	if !slices.Equal(got, []string{good}) {
		t.Errorf("resolved = %v, want only %s", got, good)
	}
	if !strings.Contains(out, "do not resolve yet: "+unresolvable) || !strings.Contains(out, "starting with 1 of 2 peers") {
		t.Errorf("log does not say what it waits for:\n%s", out)
	}

	// No peer resolves: fail (the pod restarts) rather than start alone.
	writeEnodes(t, peers, self, bad)
	out, err = runScript(t, waitForPeersScript, "PEERS_FILE="+peers, "RESOLVED_FILE="+resolved,
		"NODE_ID="+selfID, "PEER_DNS_TIMEOUT=1", "PEER_DNS_INTERVAL=1")
	if err == nil || !strings.Contains(out, "none of 1 peer names resolved") {
		t.Errorf("err = %v\n%s", err, out)
	}
}

// fakeBesu answers JSON-RPC like Besu's HTTP service and records the calls.
type fakeBesu struct {
	mu    sync.Mutex
	calls []string
	ready bool
	query []string
}

func (f *fakeBesu) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Method == http.MethodGet {
		f.query = append(f.query, r.URL.RequestURI())
		if !f.ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		return
	}
	var req struct {
		Method string   `json:"method"`
		Params []string `json:"params"`
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.calls = append(f.calls, req.Method+" "+strings.Join(req.Params, ","))
	io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":true}`)
}

func startFake(t *testing.T) (*fakeBesu, string) {
	fake := &fakeBesu{}
	server := httptest.NewServer(fake)
	t.Cleanup(server.Close)
	u, _ := url.Parse(server.URL)
	return fake, u.Port()
}

// peer-sync applies peer-list changes through Besu's ADMIN API on loopback
// (admin_addPeer / admin_removePeer, Besu 24.12.2 ethereum/api/.../methods/AdminAddPeer.java,
// AdminRemovePeer.java; each takes one enode URL, DNS names allowed with --Xdns-enabled):
// it adds what Besu did not load at start, removes what left the list, skips itself.
func TestPeerSyncAddsAndRemovesPeers(t *testing.T) {
	fake, port := startFake(t)
	dir := t.TempDir()
	peers, resolved := filepath.Join(dir, "static-nodes.json"), filepath.Join(dir, "resolved.json")
	self := "enode://" + selfID + "@localhost:30303"
	a := "enode://" + peerAID + "@localhost:30304"
	b := "enode://" + peerBID + "@localhost:30305"
	writeEnodes(t, resolved, a)    // what Besu loaded at start
	writeEnodes(t, peers, self, b) // the list now: a left, b joined
	env := []string{"PEERS_FILE=" + peers, "RESOLVED_FILE=" + resolved, "NODE_ID=" + selfID, "ADMIN_PORT=" + port, "PEER_SYNC_ONCE=1"}
	out, err := runScript(t, peerSyncScript, env...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := []string{"admin_addPeer " + b, "admin_removePeer " + a}
	if !slices.Equal(fake.calls, want) {
		t.Errorf("calls %q, want %q\n%s", fake.calls, want, out)
	}

	// A peer whose name does not resolve yet is not handed to Besu (it would be pinned
	// to 127.0.0.1); it is added on a later round.
	fake.calls = nil
	writeEnodes(t, resolved, b)
	writeEnodes(t, peers, self, b, "enode://"+peerAID+"@"+unresolvable+":30304")
	if out, err := runScript(t, peerSyncScript, env...); err != nil || len(fake.calls) != 0 {
		t.Errorf("calls %q (err %v)\n%s", fake.calls, err, out)
	}

	// An empty or unreadable list never means "remove every peer".
	writeEnodes(t, peers)
	if out, err := runScript(t, peerSyncScript, env...); err != nil || len(fake.calls) != 0 {
		t.Errorf("empty list: calls %q (err %v)\n%s", fake.calls, err, out)
	}
	os.Remove(peers)
	if out, err := runScript(t, peerSyncScript, env...); err != nil || len(fake.calls) != 0 {
		t.Errorf("missing list: calls %q (err %v)\n%s", fake.calls, err, out)
	}
}

// ready.sh succeeds exactly when Besu's /readiness?minPeers=1 answers 200.
func TestReadyProbeAsksForPeers(t *testing.T) {
	fake, port := startFake(t)
	if out, err := runScript(t, readyScript, "ADMIN_PORT="+port); err == nil {
		t.Errorf("ready while Besu answers 503\n%s", out)
	}
	fake.ready = true
	if out, err := runScript(t, readyScript, "ADMIN_PORT="+port); err != nil {
		t.Errorf("not ready while Besu answers 200: %v\n%s", err, out)
	}
	if len(fake.query) == 0 || fake.query[0] != "/readiness?minPeers=1" {
		t.Errorf("probe asked %v", fake.query)
	}
}

// Before Besu's JSON-RPC server is up the sidecar's calls fail; it must keep running and
// retry on the next round rather than exit (the container would restart in a loop).
func TestPeerSyncSurvivesBesuNotListening(t *testing.T) {
	dir := t.TempDir()
	peers := filepath.Join(dir, "static-nodes.json")
	writeEnodes(t, peers, "enode://"+peerAID+"@localhost:30304")
	listener := httptest.NewServer(http.NotFoundHandler())
	u, _ := url.Parse(listener.URL)
	listener.Close() // a port nothing listens on
	out, err := runScript(t, peerSyncScript, "PEERS_FILE="+peers, "RESOLVED_FILE="+filepath.Join(dir, "none.json"),
		"NODE_ID="+selfID, "ADMIN_PORT="+u.Port(), "PEER_SYNC_ONCE=1")
	if err != nil {
		t.Errorf("peer-sync exited with %v while Besu is not listening\n%s", err, out)
	}
	if strings.Contains(out, "peer-sync: added") {
		t.Errorf("reports a peer added without Besu:\n%s", out)
	}
}
