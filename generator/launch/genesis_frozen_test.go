package launch_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/launch/launchtest"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/render/besu"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

func read(t *testing.T, repo, rel string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// The test: a launched network's genesis bytes are identical before and after a
// validator party joins, in every party (the new one included), and every party's
// validators are given the vote that adds the newcomer.
func TestGenesisUnchangedWhenAValidatorPartyJoins(t *testing.T) {
	repo := launchtest.Repo(t)
	before := read(t, repo, "parties/alpha/shared/genesis.yaml")
	if read(t, repo, "parties/beta/shared/genesis.yaml") != before {
		t.Fatal("alpha and beta run different genesis files")
	}

	launchtest.JoinGamma(t, repo)
	for _, party := range []string{"alpha", "beta", "gamma"} {
		if got := read(t, repo, "parties/"+party+"/shared/genesis.yaml"); got != before {
			t.Errorf("party %s: genesis changed after gamma joined:\n%s", party, got)
		}
	}
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	address := result.Network.Identities["gamma-v1"].Address
	want := "qbft_proposeValidatorVote " + address + " true"
	for _, party := range []string{"alpha", "beta", "gamma"} {
		if votes := read(t, repo, "parties/"+party+"/shared/validator-votes.yaml"); !strings.Contains(votes, want) {
			t.Errorf("party %s: votes do not contain %q:\n%s", party, want, votes)
		}
	}

	// Withdrawn before it passed: the votes file lists no vote any more, so every
	// validator discards the one it cast.
	testenv.EditNetwork(t, repo, `"gamma-v1": {role: "validator"`, `"gamma-v1": {role: "member"`)
	launchtest.Generate(t, repo)
	if votes := read(t, repo, "parties/alpha/shared/validator-votes.yaml"); strings.Contains(votes, "proposeValidatorVote") {
		t.Errorf("withdrawn change still voted on:\n%s", votes)
	}
}

// Launch records exactly what the nodes were given, and refuses to record twice or to
// record a genesis that differs from the generated tree's.
func TestLaunchRecordsTheRenderedGenesisOnce(t *testing.T) {
	repo := launchtest.Repo(t)
	rendered, err := besu.GenesisJSON([]byte(read(t, repo, "parties/alpha/shared/genesis.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	frozen := result.Network.Genesis.Frozen
	if frozen == nil || frozen.JSON != rendered {
		t.Fatalf("frozen genesis differs from the rendered one:\n%v", frozen)
	}
	if !result.Network.Launched || len(frozen.Validators) != 4 || len(result.Network.Governance.OnChain) != 4 {
		t.Fatalf("launched %v, %d genesis validators, %d on chain; want true, 4, 4", result.Network.Launched, len(frozen.Validators), len(result.Network.Governance.OnChain))
	}
	if _, err := launch.Launch(repo); err == nil || !strings.Contains(err.Error(), "already launched") {
		t.Fatalf("second launch: %v", err)
	}

	// A tree generated from another genesis: launch must not record a genesis the
	// nodes do not run, and must write nothing.
	fresh := t.TempDir()
	testenv.CopyDir(t, repo, fresh)
	for _, record := range []string{launch.GenesisRecord, launch.ValidatorsRecord} {
		os.Remove(filepath.Join(fresh, record))
	}
	genesis := filepath.Join(fresh, "parties", "beta", "shared", "genesis.yaml")
	edited := strings.Replace(read(t, fresh, "parties/beta/shared/genesis.yaml"), `"chainId": 1337`, `"chainId": 1338`, 1)
	if err := os.WriteFile(genesis, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = launch.Launch(fresh)
	if err == nil || !strings.Contains(err.Error(), "parties/beta/shared/genesis.yaml differs") {
		t.Fatalf("launch over a different rendered genesis: %v", err)
	}
	for _, record := range []string{launch.GenesisRecord, launch.ValidatorsRecord} {
		if _, err := os.Stat(filepath.Join(fresh, record)); err == nil {
			t.Errorf("%s written by a refused launch", record)
		}
	}
}

// A transition is config only: block 0's fields stay byte for byte what was frozen,
// and the entry has the shape Besu reads. Besu 24.12.2:
// config/src/main/java/org/hyperledger/besu/config/TransitionsConfigOptions.java reads
// transitions.qbft (getQbftForks) and transitions.ibft2 (getIbftForks);
// config/.../BftFork.java reads "block" and "validators", a list of strings.
func TestTransitionLeavesBlockZero(t *testing.T) {
	repo := launchtest.Repo(t)
	before := read(t, repo, "parties/alpha/shared/genesis.yaml")
	launchtest.JoinGamma(t, repo)
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	desired := besu.Validators(result.Network)
	var quoted []string
	for _, a := range desired {
		quoted = append(quoted, `"`+strings.ToLower(a.Hex())+`"`)
	}
	testenv.EditNetwork(t, repo, "\tchainId:  1337", "\tchainId:  1337\n\tgovernance: {method: \"transition\", transitions: [{block: 5000, validators: ["+strings.Join(quoted, ", ")+"]}]}")
	launchtest.Generate(t, repo)

	after := read(t, repo, "parties/alpha/shared/genesis.yaml")
	if after == before {
		t.Fatal("the transition is not in the genesis config")
	}
	was, _ := besu.BlockZero([]byte(before))
	now, err := besu.BlockZero([]byte(after))
	if err != nil || was != now {
		t.Fatalf("block 0 changed with a transition (%v):\nwas %s\nnow %s", err, was, now)
	}
	afterJSON, _ := besu.GenesisJSON([]byte(after))
	var file struct {
		Config struct {
			Transitions map[string][]struct {
				Block      uint64   `json:"block"`
				Validators []string `json:"validators"`
			} `json:"transitions"`
		} `json:"config"`
	}
	if err := json.Unmarshal([]byte(afterJSON), &file); err != nil {
		t.Fatal(err)
	}
	qbft := file.Config.Transitions["qbft"]
	if len(qbft) != 1 || qbft[0].Block != 5000 || len(qbft[0].Validators) != 5 {
		t.Fatalf("transitions.qbft = %+v, want one entry at block 5000 with 5 validators", qbft)
	}
	if votes := read(t, repo, "parties/alpha/shared/validator-votes.yaml"); strings.Contains(votes, "proposeValidatorVote") {
		t.Errorf("a change by transition is also voted on:\n%s", votes)
	}
}

// A validator without identity cannot be in the recorded genesis: launch names the
// command that makes it, and writes nothing.
func TestLaunchRefusesAValidatorWithoutIdentity(t *testing.T) {
	alpha, _ := testenv.AgeKey(t)
	repo := testenv.Repo(t, testenv.BaseNetwork(t, alpha.Recipient().String(), ""))
	if _, err := keys.Init(repo, keys.InitOptions{Party: "alpha"}); err != nil {
		t.Fatal(err)
	}
	_, err := launch.Launch(repo)
	if err == nil || !strings.Contains(err.Error(), "validator beta-v1 has no identity: flux-ledger keys init --party beta") {
		t.Fatalf("launch with beta unkeyed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(repo, launch.GenesisRecord)); err == nil {
		t.Error("a refused launch wrote the genesis record")
	}
}
