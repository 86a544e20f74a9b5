package besu

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/flux-ledger/flux-ledger/generator/testenv/besurpc"
)

// These tests run validator-vote.sh with the local bash, once per round
// (VOTE_ONCE), one process per validator, against the Besu JSON-RPC fake: several
// validators sharing one chain, blocks produced between rounds. The fake's voting
// rules are Besu's (see generator/testenv/besurpc).

// joiner is the address a test votes in (the first validator of Besu's QBFT docs).
const joiner = "0x64a702e6263b7297a96638cac6ae65e6541f4169"

func fourValidators(t *testing.T, algorithm string) (*besurpc.Chain, []*besurpc.Node) {
	t.Helper()
	var addrs []common.Address
	for _, d := range "1234" {
		addrs = append(addrs, common.HexToAddress("0x"+strings.Repeat(string(d), 40)))
	}
	chain := besurpc.NewChain(algorithm, 30000, addrs)
	var nodes []*besurpc.Node
	for _, a := range addrs {
		nodes = append(nodes, chain.AddNode(t, a))
	}
	return chain, nodes
}

func writeVotes(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "votes")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// vote runs one round of the sidecar of a validator and returns its log.
func vote(t *testing.T, node *besurpc.Node, votes string) string {
	t.Helper()
	out, err := runScript(t, validatorVoteScript, "VOTES_FILE="+votes, "ADMIN_PORT="+node.Port(), "VOTE_ONCE=1")
	if err != nil {
		t.Fatalf("validator-vote exited: %v\n%s", err, out)
	}
	return out
}

func hasValidator(chain *besurpc.Chain, address string) bool {
	return slices.Contains(chain.Validators(), common.HexToAddress(address))
}

func proposals(node *besurpc.Node) []string {
	var out []string
	for _, c := range node.Calls() {
		if strings.Contains(c, "_proposeValidatorVote") || strings.Contains(c, "_discardValidatorVote") {
			out = append(out, c)
		}
	}
	return out
}

// A line's change passes once a majority of the validators have voted and blocks were
// produced: ⌊4/2⌋+1 = 3 of 4 (Besu 24.12.2 consensus/common/.../validator/blockbased/
// VoteTally.java validatorLimit). Rounds repeat without effect: a vote pending already
// is not proposed again. Once "latest" shows the change, nobody votes, and the voters
// discard the vote Besu would otherwise keep pending (VoteProposer keeps proposals until
// discarded). Both algorithms: the method's prefix picks the API.
func TestVotesPassOnceAMajorityVoted(t *testing.T) {
	for _, api := range []struct{ algorithm, prefix string }{{besurpc.QBFT, "qbft"}, {besurpc.IBFT2, "ibft"}} {
		chain, nodes := fourValidators(t, api.algorithm)
		list := writeVotes(t, "# validators wanted but not in the genesis", api.prefix+"_proposeValidatorVote "+joiner+" true", "")
		for _, n := range nodes[:2] {
			if out := vote(t, n, list); out != "validator-vote: proposed to add "+joiner+"\n" {
				t.Errorf("%s: log %q", api.prefix, out)
			}
		}
		chain.Produce(8)
		if hasValidator(chain, joiner) {
			t.Fatalf("%s: added with 2 of 4 votes", api.prefix)
		}
		// Re-running changes nothing: no second proposal, no log.
		for _, n := range nodes[:2] {
			n.ResetCalls()
			if out := vote(t, n, list); out != "" || len(proposals(n)) != 0 {
				t.Errorf("%s: a second round acted: %q %v", api.prefix, out, proposals(n))
			}
		}
		vote(t, nodes[2], list)
		chain.Produce(4)
		if !hasValidator(chain, joiner) {
			t.Fatalf("%s: not added with 3 of 4 votes", api.prefix)
		}
		for i, n := range nodes {
			n.ResetCalls()
			out := vote(t, n, list)
			want := "validator-vote: discarded own pending vote to add " + joiner + ": the chain has made the change\n"
			if i == 3 {
				want = "" // never voted: nothing to discard, nothing to propose
			}
			if out != want || len(n.Pending()) != 0 {
				t.Errorf("%s: validator %d after the change: log %q, pending %v", api.prefix, i+1, out, n.Pending())
			}
			if i == 3 && len(proposals(n)) != 0 {
				t.Errorf("%s: voted for a change already on chain: %v", api.prefix, proposals(n))
			}
		}
	}
}

// Removing a validator by vote works the same way, and a list naming changes that are
// complete on chain (the lines are genesis versus desired) casts no vote for them.
func TestRemovalPassesAndCompleteChangesCastNoVote(t *testing.T) {
	chain, nodes := fourValidators(t, besurpc.QBFT)
	removed := "0x" + strings.Repeat("4", 40)
	list := writeVotes(t, "qbft_proposeValidatorVote "+removed+" false")
	for _, n := range nodes[:3] {
		vote(t, n, list)
	}
	chain.Produce(5)
	if hasValidator(chain, removed) {
		t.Fatal("not removed with 3 of 4 votes")
	}
	for _, n := range nodes {
		vote(t, n, list)
		n.ResetCalls()
		if out := vote(t, n, list); out != "" || len(proposals(n)) != 0 {
			t.Errorf("%s votes for a complete change: %q %v", n.Address.Hex(), out, proposals(n))
		}
	}
}

// A line that leaves the list withdraws its change: the validator discards its own
// pending vote (an empty list wants no change; the API is then asked of Besu).
func TestWithdrawnLineDiscardsThePendingVote(t *testing.T) {
	_, nodes := fourValidators(t, besurpc.IBFT2)
	n := nodes[0]
	vote(t, n, writeVotes(t, "ibft_proposeValidatorVote "+joiner+" true"))
	if len(n.Pending()) != 1 {
		t.Fatalf("pending %v", n.Pending())
	}
	out := vote(t, n, writeVotes(t, "# nothing wanted"))
	if out != "validator-vote: discarded own pending vote to add "+joiner+": no line asks for it\n" || len(n.Pending()) != 0 {
		t.Errorf("log %q, pending %v", out, n.Pending())
	}
}

// Lines that are not "<method> <0x + 40 hex> <true|false>" are refused, each with a log
// line, and cast no vote: a short address (Besu's Address.fromHexString would left-pad
// it into another address), another method, a word for the vote, extra fields, the
// other API's prefix after this one, and an address both added and removed. The good
// line still votes.
func TestGarbageLinesAreRefused(t *testing.T) {
	_, nodes := fourValidators(t, besurpc.QBFT)
	other := "0x" + strings.Repeat("9", 40)
	list := writeVotes(t,
		"qbft_proposeValidatorVote 0x64a702e6263b7297a96638cac6ae65e6541f416 true",
		"qbft_discardValidatorVote "+joiner+" true",
		"qbft_proposeValidatorVote "+joiner+" yes",
		"qbft_proposeValidatorVote "+joiner+" true now",
		"  qbft_proposeValidatorVote   "+joiner+"  true  ",
		"ibft_proposeValidatorVote "+other+" true",
		"qbft_proposeValidatorVote "+other+" true",
		"qbft_proposeValidatorVote "+other+" false",
	)
	n := nodes[0]
	out := vote(t, n, list)
	for _, want := range []string{`refused line 1 `, `refused line 2 `, `refused line 3 `, `refused line 4 `,
		`refused line 6 "ibft_proposeValidatorVote ` + other + ` true": line 5 uses qbft_proposeValidatorVote`,
		`refused every line for ` + other + `: some add it, some remove it`, `proposed to add ` + joiner} {
		if !strings.Contains(out, "validator-vote: "+want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if got := proposals(n); !slices.Equal(got, []string{`qbft_proposeValidatorVote ["` + joiner + `",true]`}) {
		t.Errorf("calls %v, want only the good line's vote", got)
	}
}

// An unreadable list never means "no change wanted": nothing is discarded. A restarted
// Besu has forgotten its pending votes (they live in VoteProposer's memory): the next
// round proposes again. Without Besu listening the sidecar logs and keeps running.
func TestRoundsSurviveMissingListRestartAndNoBesu(t *testing.T) {
	_, nodes := fourValidators(t, besurpc.QBFT)
	n := nodes[0]
	list := writeVotes(t, "qbft_proposeValidatorVote "+joiner+" true")
	vote(t, n, list)
	n.ResetCalls()
	out := vote(t, n, filepath.Join(t.TempDir(), "absent"))
	if !strings.Contains(out, "cannot read the list") || len(n.Calls()) != 0 || len(n.Pending()) != 1 {
		t.Errorf("missing list: log %q, calls %v, pending %v", out, n.Calls(), n.Pending())
	}
	n.Restart()
	if out := vote(t, n, list); !strings.Contains(out, "proposed to add "+joiner) {
		t.Errorf("after a Besu restart: %q", out)
	}
	out, err := runScript(t, validatorVoteScript, "VOTES_FILE="+list, "ADMIN_PORT="+closedPort(t), "VOTE_ONCE=1")
	if err != nil || !strings.Contains(out, "cannot read the validators: nothing listens on 127.0.0.1:") {
		t.Errorf("without Besu: %v %q", err, out)
	}
}

// The sidecar of a validator whose Besu lacks the API (--rpc-http-api without QBFT)
// says so rather than act (Besu answers "Method not enabled").
func TestVoteWithoutConsensusAPISaysSo(t *testing.T) {
	_, nodes := fourValidators(t, besurpc.QBFT)
	nodes[0].DisableConsensusAPI()
	out := vote(t, nodes[0], writeVotes(t, "qbft_proposeValidatorVote "+joiner+" true"))
	if !strings.Contains(out, `cannot read the validators: {"jsonrpc":"2.0","id":1,"error":{"code":-32604,"message":"Method not enabled"}}`) {
		t.Errorf("log %q", out)
	}
}

// closedPort is a port on 127.0.0.1 nothing listens on.
func closedPort(t *testing.T) string {
	server := httptest.NewServer(http.NotFoundHandler())
	u, _ := url.Parse(server.URL)
	server.Close()
	return u.Port()
}
