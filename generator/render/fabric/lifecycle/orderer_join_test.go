package lifecycle

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The orderer join speaks osnadmin as Fabric v2.5.16 and v3.1.5 cmd/osnadmin/main.go
// define it: `channel join --channelID --config-block`, with -o/--orderer-address,
// --ca-file, --client-cert and --client-key (the --ca-file switches to https and
// mutual TLS). osnadmin prints "Status: <code>" and the JSON body and exits 0
// whenever the orderer answered, whatever the code; it exits 1 only when it got no
// answer. The orderer answers 201 Created on a first join and 405 with "cannot join:
// channel already exists" after (orderer/common/channelparticipation/restapi.go
// sendJoinError, types.ErrChannelAlreadyExists in orderer/common/types/errors.go).
func TestOrdererJoinJoinsOnceThenAcceptsAlreadyExists(t *testing.T) {
	objects := render(t, testNetwork(), "a")
	job := jobAt(t, objects, "join-a-orderer0-trade.eu.yaml")
	bin, state := fakeCLIs(t)

	out, err := runJob(t, job, bin, state)
	if err != nil {
		t.Fatalf("first run: %v\n%s", err, out)
	}
	want := "osnadmin channel join --channelID trade.eu --config-block " + state + "/home/trade.eu.block " +
		"-o a-orderer0:7053 --ca-file /etc/flux-ledger/tls/ca.pem " +
		"--client-cert /etc/flux-ledger/tls/client.pem --client-key /etc/flux-ledger/tls/client.key"
	if got := calls(t, state); !slices.Equal(got, []string{want}) {
		t.Errorf("calls %q, want %q", got, want)
	}
	if !strings.Contains(out, "joined channel trade.eu") {
		t.Errorf("log does not say it joined:\n%s", out)
	}
	if got, err := os.ReadFile(filepath.Join(state, "osn-joined-block")); err != nil || string(got) != "genesis block of trade.eu" {
		t.Errorf("the orderer joined from %q (%v), want the channel's genesis block", got, err)
	}

	// Second run: the orderer answers 405 "channel already exists"; that is success.
	out, err = runJob(t, job, bin, state)
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	if !strings.Contains(out, "already serves channel trade.eu") {
		t.Errorf("second run does not say the orderer already serves the channel:\n%s", out)
	}
}

func TestOrdererJoinFailsOnRefusalOrNoAnswer(t *testing.T) {
	job := jobAt(t, render(t, testNetwork(), "a"), "join-a-orderer0-trade.eu.yaml")
	for name, answer := range map[string]string{
		// 405 has another cause too (restapi.go sendJoinError: ErrSystemChannelExists).
		"405 for a system channel": "Status: 405\n{\n\t\"error\": \"cannot join: system channel exists\"\n}\n",
		"400 bad block":            "Status: 400\n{\n\t\"error\": \"cannot join: failed to validate join block\"\n}\n",
		"no status":                "Error: reading http response body: EOF\n",
	} {
		bin, state := fakeCLIs(t)
		writeFile(t, state, "osn-answer", answer)
		if out, err := runJob(t, job, bin, state); err == nil {
			t.Errorf("%s: the Job succeeded\n%s", name, out)
		}
	}
	bin, state := fakeCLIs(t)
	writeFile(t, state, "osn-unreachable", "")
	if out, err := runJob(t, job, bin, state); err == nil || !strings.Contains(out, "could not reach a-orderer0:7053") {
		t.Errorf("unreachable orderer: err %v\n%s", err, out)
	}
}

// Only the party's own orderers are joined, each to the channels it is a consenter of.
func TestOrdererJoinOnlyOwnConsenters(t *testing.T) {
	n := testNetwork()
	ch := n.Fabric.Channels["trade.eu"]
	ch.Consenters = []string{"b-orderer0", "c-orderer0"}
	n.Fabric.Channels["trade.eu"] = ch
	objects := render(t, n, "a")
	for file := range objects {
		if strings.HasPrefix(file, "join-a-orderer0") || strings.Contains(file, "b-orderer0") {
			t.Errorf("rendered %s", file)
		}
	}
}
