package lifecycle

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func packageIDOf(t *testing.T, party string) string {
	t.Helper()
	n := testNetwork()
	pkg, err := Package(n.Parties[party], "trade.eu", n.Fabric.Channels["trade.eu"].Chaincodes["asset_transfer"])
	if err != nil {
		t.Fatal(err)
	}
	return pkg.ID
}

// Install asks each peer `peer lifecycle chaincode queryinstalled`, which prints
// "Package ID: <id>, Label: <label>" a line (Fabric v2.5.16 and v3.1.5
// internal/peer/lifecycle/chaincode/queryinstalled.go printResponse), and installs
// with `peer lifecycle chaincode install <file>` (install.go) where it is missing.
func TestInstallSkipsInstalledPackages(t *testing.T) {
	job := jobAt(t, render(t, testNetwork(), "a"), "chaincode-trade.eu-asset_transfer-install.yaml")
	id := packageIDOf(t, "a")
	bin, state := fakeCLIs(t)
	writeFile(t, state, "installed-a-peer0:7051", id+"\n") // a-peer1 has none yet

	out, err := runJob(t, job, bin, state)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := []string{
		"peer@a-peer0:7051 lifecycle chaincode queryinstalled",
		"peer@a-peer1:7051 lifecycle chaincode queryinstalled",
		"peer@a-peer1:7051 lifecycle chaincode install /etc/flux-ledger/package/package.tar.gz",
	}
	if got := calls(t, state); !slices.Equal(got, want) {
		t.Errorf("calls %q\nwant %q", got, want)
	}
	if out, err := runJob(t, job, bin, state); err != nil {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	if got := calls(t, state); !slices.Equal(got, []string{want[0], want[1]}) {
		t.Errorf("second run calls %q, want the queries only", got)
	}
}

// Another package with the same label is not this one: only the full ID counts.
func TestInstallComparesWholePackageID(t *testing.T) {
	job := jobAt(t, render(t, testNetwork(), "b"), "chaincode-trade.eu-asset_transfer-install.yaml")
	bin, state := fakeCLIs(t)
	writeFile(t, state, "installed-b-peer0:7051", "asset_transfer_1.0:0000\n")
	if out, err := runJob(t, job, bin, state); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := calls(t, state); len(got) != 2 || !strings.Contains(got[1], "install") {
		t.Errorf("calls %q, want an install", got)
	}
}

// Approve uses `peer lifecycle chaincode approveformyorg` with --channelID --name
// --version --package-id --sequence (and --signature-policy), -o, --tls, --cafile
// (Fabric v2.5.16 internal/peer/lifecycle/chaincode/approveformyorg.go, chaincode.go
// ResetFlags; the orderer flags from internal/peer/common/ordererenv.go
// AddOrdererFlags). It is skipped when `queryapproved --sequence` reports this very
// definition and package: "sequence: <n>, version: <v>, init-required: …, package-id:
// <id>, …" (queryapproved.go printResponse, the same in v3.1.5).
func TestApproveOnceThenSkips(t *testing.T) {
	n := testNetwork()
	cc := n.Fabric.Channels["trade.eu"].Chaincodes["asset_transfer"]
	cc.EndorsementPolicy = "OR('AMSP.peer','BMSP.peer')"
	n.Fabric.Channels["trade.eu"].Chaincodes["asset_transfer"] = cc
	job := jobAt(t, render(t, n, "b"), "chaincode-trade.eu-asset_transfer-approve.yaml")
	id := packageIDOf(t, "b")
	bin, state := fakeCLIs(t)

	out, err := runJob(t, job, bin, state)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	// b's own orderer first, through its Service and b's TLS CA.
	want := []string{
		"peer@b-peer0:7051 lifecycle chaincode querycommitted --channelID trade.eu --name asset_transfer",
		"peer@b-peer0:7051 lifecycle chaincode queryapproved --channelID trade.eu --name asset_transfer --sequence 1",
		"peer@b-peer0:7051 lifecycle chaincode approveformyorg --channelID trade.eu --name asset_transfer --version 1.0 --sequence 1 --package-id " + id +
			" --signature-policy OR('AMSP.peer','BMSP.peer') -o b-orderer0:7050 --tls --cafile /etc/flux-ledger/tls/ca.pem" +
			" --clientauth --certfile /etc/flux-ledger/tls/client.pem --keyfile /etc/flux-ledger/tls/client.key",
	}
	if got := calls(t, state); !slices.Equal(got, want) {
		t.Errorf("calls\n%q\nwant\n%q", got, want)
	}
	if out, err := runJob(t, job, bin, state); err != nil {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	if got := calls(t, state); !slices.Equal(got, want[:2]) {
		t.Errorf("second run calls %q, want the queries only", got)
	}
}

// An orderer that does not answer is passed over for the next consenter, reached at
// its endpoint and verified with its party's TLS CA from the TLS roots ConfigMap.
func TestApproveTriesTheNextOrderer(t *testing.T) {
	job := jobAt(t, render(t, testNetwork(), "b"), "chaincode-trade.eu-asset_transfer-approve.yaml")
	bin, state := fakeCLIs(t)
	writeFile(t, state, "orderer-down", "b-orderer0:7050")
	out, err := runJob(t, job, bin, state)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := calls(t, state)
	if len(got) != 4 || !strings.Contains(got[3], "-o orderer0.a.example:443 --tls --cafile /etc/flux-ledger/tls-roots/AMSP.pem") {
		t.Errorf("calls %q", got)
	}
}

// Once the channel runs the sequence, querycommitted prints "Version: <v>, Sequence:
// <n>, …" (querycommitted.go printSingleChaincodeDefinition); a later committed
// sequence means this definition is stale and approving it would fail ("currently
// defined sequence N is larger than requested sequence", core/chaincode/lifecycle/
// lifecycle.go), so the Job stops there. An undefined chaincode is "namespace <name>
// is not defined" (lifecycle.go ErrNamespaceNotDefined).
func TestApproveStopsAtALaterCommittedSequence(t *testing.T) {
	job := jobAt(t, render(t, testNetwork(), "b"), "chaincode-trade.eu-asset_transfer-approve.yaml")
	bin, state := fakeCLIs(t)
	writeFile(t, state, "committed", "2")
	if out, err := runJob(t, job, bin, state); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := calls(t, state); len(got) != 1 {
		t.Errorf("calls %q, want querycommitted only", got)
	}
}

// A peer that cannot answer (not joined yet, not up) fails the Job so that it is
// retried, rather than being read as "nothing committed".
func TestApproveFailsWhenThePeerCannotAnswer(t *testing.T) {
	job := jobAt(t, render(t, testNetwork(), "b"), "chaincode-trade.eu-asset_transfer-approve.yaml")
	bin, state := fakeCLIs(t)
	writeFile(t, bin, "peer", "#!/usr/bin/env bash\necho 'Error: failed to retrieve endorser client: connection refused' >&2\nexit 1\n")
	if out, err := runJob(t, job, bin, state); err == nil {
		t.Errorf("succeeded\n%s", out)
	}
}

// Commit waits until `checkcommitreadiness` shows a majority of the members
// approving: it prints "<MSPID>: <true|false>" a line (Fabric v2.5.16
// internal/peer/lifecycle/chaincode/checkcommitreadiness.go printResponse; v3.1.5
// appends " (mismatch: …)" only with --inspect). It commits with --peerAddresses and
// --tlsRootCertFiles of one peer of each approving organisation (commit.go), since a
// peer whose organisation did not approve refuses to endorse the commit
// (core/chaincode/lifecycle/lifecycle.go CommitChaincodeDefinition, "chaincode
// definition not agreed to by this org").
func TestCommitWaitsForAMajority(t *testing.T) {
	objects := render(t, testNetwork(), "a")
	job := jobAt(t, objects, "chaincode-trade.eu-asset_transfer-commit.yaml")
	bin, state := fakeCLIs(t)
	writeFile(t, state, "readiness.1", "AMSP: true\nBMSP: false\nCMSP: false\n")
	writeFile(t, state, "readiness.2", "AMSP: true\nBMSP: false\nCMSP: false\n")
	writeFile(t, state, "readiness.3", "AMSP: true\nBMSP: false\nCMSP: true\n")

	out, err := runJob(t, job, bin, state, "COMMIT_POLL_SECONDS=0")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	got := calls(t, state)
	readiness, commits := 0, []string{}
	for _, c := range got {
		if strings.Contains(c, "checkcommitreadiness") {
			readiness++
		}
		if strings.Contains(c, "chaincode commit") {
			commits = append(commits, c)
		}
	}
	if readiness != 3 || len(commits) != 1 {
		t.Fatalf("%d readiness checks and commits %q, want 3 and 1\n%s", readiness, commits, out)
	}
	want := "peer@a-peer0:7051 lifecycle chaincode commit --channelID trade.eu --name asset_transfer --version 1.0 --sequence 1" +
		" --peerAddresses a-peer0:7051 --tlsRootCertFiles /etc/flux-ledger/tls-roots/AMSP.pem" +
		" --peerAddresses peer0.c.example:443 --tlsRootCertFiles /etc/flux-ledger/tls-roots/CMSP.pem" +
		" -o a-orderer0:7050 --tls --cafile /etc/flux-ledger/tls/ca.pem" +
		" --clientauth --certfile /etc/flux-ledger/tls/client.pem --keyfile /etc/flux-ledger/tls/client.key"
	if commits[0] != want {
		t.Errorf("commit\n%s\nwant\n%s", commits[0], want)
	}
	if !strings.Contains(out, "1 of 3 organisations approved") {
		t.Errorf("log does not say what it waits for:\n%s", out)
	}

	// Second run: the sequence is committed; nothing else is asked.
	if out, err := runJob(t, job, bin, state, "COMMIT_POLL_SECONDS=0"); err != nil {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	if got := calls(t, state); len(got) != 1 || !strings.Contains(got[0], "querycommitted") {
		t.Errorf("second run calls %q", got)
	}
	if data, _ := os.ReadFile(filepath.Join(state, "committed")); strings.TrimSpace(string(data)) != "1" {
		t.Errorf("committed sequence %q", data)
	}
}

// Only the committing party renders the commit Job.
func TestCommitOnlyInTheCommittersDirectory(t *testing.T) {
	n := testNetwork()
	for _, party := range n.PartyNames() {
		_, ok := render(t, n, party)["chaincode-trade.eu-asset_transfer-commit.yaml"]
		if ok != (party == "a") {
			t.Errorf("party %s: commit Job rendered = %v", party, ok)
		}
	}
}
