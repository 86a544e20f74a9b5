package plan_test

import (
	"path/filepath"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// A party renaming its organisation on a running channel is refused: the channel
// config names the organisation by its MSP ID (Fabric's MSP config group key and every
// signature's creator), so its nodes would fall out. Before launch nothing runs and
// the rename is only a change.
func TestPlanRefusesANewMSPIDOnARunningChannel(t *testing.T) {
	repo, _ := testenv.FabricRepo(t)
	if _, err := keys.Init(repo, keys.InitOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := generator.Generate(generator.Options{Repo: repo}); err != nil {
		t.Fatal(err)
	}
	before := loadNetwork(t, filepath.Join(repo, "cue"))
	renamed := loadNetwork(t, filepath.Join(repo, "cue"))
	party := renamed.Parties["fabrikam"]
	party.MSPID = "AttackerMSP"
	renamed.Parties["fabrikam"] = party
	if p := compute(t, before, renamed); contains(p.Refused, "mspId") {
		t.Errorf("refused before launch: %v", p.Refused)
	}

	if _, err := launch.Launch(repo); err != nil {
		t.Fatal(err)
	}
	launched := loadNetwork(t, filepath.Join(repo, "cue"))
	renamed = loadNetwork(t, filepath.Join(repo, "cue"))
	party = renamed.Parties["fabrikam"]
	was := party.MSPID
	party.MSPID = "AttackerMSP"
	renamed.Parties["fabrikam"] = party
	if p := compute(t, launched, renamed); !contains(p.Refused, "party fabrikam: mspId changes from "+was+" to AttackerMSP") {
		t.Errorf("refused = %v", p.Refused)
	}
}

// Replacing a party's MSP material (its CA decides who acts as the party in every
// channel) is said in words, naming the party.
func TestPlanSaysAnMSPIsReplaced(t *testing.T) {
	repo, _ := testenv.FabricRepo(t)
	if _, err := keys.Init(repo, keys.InitOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	base := loadNetwork(t, filepath.Join(repo, "cue"))
	head := loadNetwork(t, filepath.Join(repo, "cue"))
	msp := head.MSP["northwind"]
	msp.CACert = head.MSP["contoso"].CACert
	head.MSP["northwind"] = msp
	if p := compute(t, base, head); !contains(p.Consequences, "party northwind's MSP material (cue/msp/northwind.cue) is replaced") {
		t.Errorf("consequences = %v", p.Consequences)
	}
}
