package launch_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/launch/launchtest"
	"github.com/flux-ledger/flux-ledger/generator/load"
)

// Recording the on-chain set ends the pending change: no vote is rendered any more,
// and the next change starts from the recorded set.
func TestRecordValidatorsEndsThePendingChange(t *testing.T) {
	repo := launchtest.Repo(t)
	if _, err := launch.RecordValidators(repo, 0); err == nil || !strings.Contains(err.Error(), "no change pending") {
		t.Fatalf("record with nothing pending: %v", err)
	}
	launchtest.JoinGamma(t, repo)
	result, err := launch.RecordValidators(repo, 0)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(result.Validators, ",") != "alpha-v1,alpha-v2,beta-v1,beta-v2,gamma-v1" {
		t.Errorf("recorded %v", result.Validators)
	}
	loaded, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	if changes := loaded.Network.PendingValidatorChanges(); len(changes) != 0 {
		t.Errorf("still pending after the record: %+v", changes)
	}
	launchtest.Generate(t, repo)
	if votes := read(t, repo, "parties/alpha/shared/validator-votes.yaml"); strings.Contains(votes, "proposeValidatorVote") {
		t.Errorf("a recorded change is still voted on:\n%s", votes)
	}
}
