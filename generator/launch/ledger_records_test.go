package launch_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/launch/launchtest"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// A record of what the chain holds exists only for a ledger that has it: a Fabric
// network has no validators on chain, so validators record refuses it, even with a
// height, instead of writing a cue/validators.cue nothing reads; and a Besu network
// has no channels. Each refusal names the ledgers that do have the thing.
func TestRecordsRefuseALedgerWithoutThem(t *testing.T) {
	fabric, _ := testenv.FabricRepo(t)
	if _, err := keys.Init(fabric, keys.InitOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := launch.Launch(fabric); err != nil {
		t.Fatal(err)
	}
	for _, height := range []uint64{0, 5} {
		_, err := launch.RecordValidators(fabric, height)
		if err == nil || err.Error() != "network tradechain runs fabric: validators on chain are Besu's" {
			t.Errorf("validators record --height %d on Fabric: %v", height, err)
		}
	}
	if _, err := os.Stat(filepath.Join(fabric, launch.ValidatorsRecord)); !os.IsNotExist(err) {
		t.Errorf("a Fabric network got %s (%v)", launch.ValidatorsRecord, err)
	}

	besu := launchtest.Repo(t)
	if _, _, err := launch.RecordChannel(besu, "trade", ""); err == nil || err.Error() != "network testnet runs besu: channels are Fabric's" {
		t.Errorf("channels record on Besu: %v", err)
	}
	if _, err := launch.SignChannel(besu, "trade", "alpha", nil); err == nil || err.Error() != "network testnet runs besu: channels are Fabric's" {
		t.Errorf("channels sign on Besu: %v", err)
	}
}
