package besu

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
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
