package lifecycle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// runFake runs one fake CLI with its arguments and environment, returning stdout,
// stderr and the exit code.
func runFake(t *testing.T, bin, state, name string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	cmd := exec.Command(bash, append([]string{filepath.Join(bin, name)}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "FAKE=" + state}, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// osnadminPrints is what Fabric v2.5.16 cmd/osnadmin/main.go prints for an answer of
// the orderer: responseOutput writes "Status: <code>\n" and json.Indent(body, "", "\t")
// of the body the orderer's json.Encoder wrote (newline-terminated,
// orderer/common/channelparticipation/restapi.go sendResponseCreated and
// sendResponseNotAllowed), and main prints that with fmt.Println.
func osnadminPrints(t *testing.T, status int, body any) string {
	t.Helper()
	var encoded, out bytes.Buffer
	if err := json.NewEncoder(&encoded).Encode(body); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&out, "Status: %d\n", status)
	if err := json.Indent(&out, encoded.Bytes(), "", "\t"); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintln(out.String())
}

// The fields of orderer/common/types/channelinfo.go ChannelInfo, in its order, and of
// ErrorResponse.
type channelInfo struct {
	Name              string `json:"name"`
	URL               string `json:"url"`
	ConsensusRelation string `json:"consensusRelation"`
	Status            string `json:"status"`
	Height            uint64 `json:"height"`
}

type errorResponse struct {
	Error string `json:"error"`
}

// The fake osnadmin answers a first join 201 with the channel's info and a second 405
// "cannot join: channel already exists" (restapi.go sendJoinError,
// orderer/common/types/errors.go ErrChannelAlreadyExists), exit 0 both times, all on
// stdout; an orderer it cannot reach is "Error: <err>" printed through fmt.Println on
// stdout, exit 1 (cmd/osnadmin/main.go errorOutput).
func TestFakeOsnadminAnswersAsFabric(t *testing.T) {
	bin, state := fakeCLIs(t)
	env := []string{"CHANNEL=trade", "ORDERER_ADMIN_ADDRESS=orderer0:7053"}
	// An unreadable block ends osnadmin before it dials the orderer: v2.5.16 main.go's
	// "reading config block: %s" through kingpin.Fatalf, which prints
	// "<program>: error: " and the message on stderr and exits 1 (vendor/gopkg.in/
	// alecthomas/kingpin.v2 v2.2.6 global.go Fatalf, app.go Fatalf and Errorf).
	missing := filepath.Join(state, "missing.block")
	stdout, stderr, code := runFake(t, bin, state, "osnadmin", env, "channel", "join", "--channelID", "trade", "--config-block", missing, "-o", "orderer0:7053")
	if want := "osnadmin: error: parsing arguments: reading config block: open " + missing + ": no such file or directory. Try --help\n"; stdout != "" || stderr != want || code != 1 {
		t.Errorf("missing block: exit %d, stdout %q, stderr %q; want exit 1, stderr %q", code, stdout, stderr, want)
	}
	// Another channel's block: main.go validateBlockChannelID, through kingpin.Fatalf.
	writeFile(t, state, "other.block", "genesis block of other")
	stdout, stderr, code = runFake(t, bin, state, "osnadmin", env, "channel", "join", "--channelID", "trade", "--config-block", filepath.Join(state, "other.block"), "-o", "orderer0:7053")
	if want := "osnadmin: error: parsing arguments: specified --channelID trade does not match channel ID other in config block. Try --help\n"; stdout != "" || stderr != want || code != 1 {
		t.Errorf("another channel's block: exit %d, stdout %q, stderr %q; want exit 1, stderr %q", code, stdout, stderr, want)
	}
	block := filepath.Join(state, "b.block")
	writeFile(t, state, "b.block", "genesis block of trade")
	args := []string{"channel", "join", "--channelID", "trade", "--config-block", block, "-o", "orderer0:7053"}
	for i, want := range []string{
		osnadminPrints(t, 201, channelInfo{Name: "trade", URL: "/participation/v1/channels/trade", ConsensusRelation: "consenter", Status: "onboarding"}),
		osnadminPrints(t, 405, errorResponse{Error: "cannot join: channel already exists"}),
	} {
		stdout, stderr, code := runFake(t, bin, state, "osnadmin", env, args...)
		if stdout != want || stderr != "" || code != 0 {
			t.Errorf("join %d: exit %d, stdout %q, stderr %q; want exit 0, stdout %q", i+1, code, stdout, stderr, want)
		}
	}
	writeFile(t, state, "osn-unreachable", "")
	stdout, stderr, code = runFake(t, bin, state, "osnadmin", env, args...)
	// errorOutput's "Error: %s\n", then fmt.Println's newline.
	want := fmt.Sprintf("Error: %s\n", `Post "https://orderer0:7053/participation/v1/channels": dial tcp: connect: connection refused`) + "\n"
	if stdout != want || stderr != "" || code != 1 {
		t.Errorf("unreachable: exit %d, stdout %q, stderr %q; want exit 1, stdout %q", code, stdout, stderr, want)
	}
	os.Remove(filepath.Join(state, "osn-unreachable"))
	writeFile(t, state, "osn-answer", "Error: reading http response body: EOF\n")
	if stdout, _, code := runFake(t, bin, state, "osnadmin", env, args...); stdout != "Error: reading http response body: EOF\n\n" || code != 1 {
		t.Errorf("error answer: exit %d, stdout %q", code, stdout)
	}
}

// The fake peer joins a channel once; a second join fails as Fabric v2.5.16's peer
// does: cobra prints fmt.Sprintln("Error:", err) on stderr (vendor/github.com/spf13/
// cobra/command.go ExecuteC, PrintErrln) and cmd/peer/main.go exits 1; err is
// internal/peer/channel/join.go ProposalFailedErr around "bad proposal response 500"
// (cscc's shim.Error) with core/peer/peer.go's and kv_ledger_provider.go's messages.
// `peer channel list` prints internal/peer/channel/list.go's header and one channel a
// line on stdout.
func TestFakePeerAnswersAsFabric(t *testing.T) {
	bin, state := fakeCLIs(t)
	env := []string{"CHANNEL=trade", "CORE_PEER_ADDRESS=peer0:7051"}
	// An unreadable block: join.go getJoinCCSpec, GBFileNotFoundErr(err.Error()).
	missing := filepath.Join(state, "missing.block")
	if _, stderr, code := runFake(t, bin, state, "peer", env, "channel", "join", "--blockpath", missing); code != 1 ||
		stderr != fmt.Sprintln("Error:", "genesis block file not found open "+missing+": no such file or directory") {
		t.Errorf("missing block: exit %d, stderr %q", code, stderr)
	}
	writeFile(t, state, "b.block", "block")
	join := []string{"channel", "join", "--blockpath", filepath.Join(state, "b.block")}
	if stdout, stderr, code := runFake(t, bin, state, "peer", env, join...); code != 0 || stdout != "" || stderr != "" {
		t.Errorf("first join: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	joinErr := fmt.Sprintf("proposal failed (err: %s)", fmt.Sprintf("bad proposal response %d: %s", 500,
		"cannot create ledger from genesis block: "+fmt.Sprintf("ledger [%s] already exists with state [%s]", "trade", "ACTIVE")))
	want := fmt.Sprintln("Error:", joinErr)
	if stdout, stderr, code := runFake(t, bin, state, "peer", env, join...); code != 1 || stdout != "" || stderr != want {
		t.Errorf("second join: exit %d, stdout %q, stderr %q; want exit 1, stderr %q", code, stdout, stderr, want)
	}
	if stdout, _, code := runFake(t, bin, state, "peer", env, "channel", "list"); code != 0 || stdout != "Channels peers has joined: \ntrade\n" {
		t.Errorf("list: exit %d, stdout %q", code, stdout)
	}
	// internal/peer/lifecycle/chaincode/queryinstalled.go printResponse.
	env = append(env, "PACKAGE_ID=cc_1.0:abc")
	runFake(t, bin, state, "peer", env, "lifecycle", "chaincode", "install", "cc.tar.gz")
	stdout, _, code := runFake(t, bin, state, "peer", env, "lifecycle", "chaincode", "queryinstalled")
	if want := "Installed chaincodes on peer:\n" + fmt.Sprintf("Package ID: %s, Label: %s\n", "cc_1.0:abc", "cc_1.0"); code != 0 || stdout != want {
		t.Errorf("queryinstalled: exit %d, stdout %q, want %q", code, stdout, want)
	}
	// querycommitted.go: "query failed with status: %d - %s"; core/chaincode/lifecycle
	// scc.go and lifecycle.go give the message.
	env = append(env, "NAME=cc")
	_, stderr, code := runFake(t, bin, state, "peer", env, "lifecycle", "chaincode", "querycommitted")
	want = fmt.Sprintln("Error:", fmt.Sprintf("query failed with status: %d - %s", 500,
		fmt.Sprintf("failed to invoke backing implementation of '%s': %s", "QueryChaincodeDefinition", "namespace cc is not defined")))
	if code != 1 || stderr != want {
		t.Errorf("querycommitted: exit %d, stderr %q, want %q", code, stderr, want)
	}
}
