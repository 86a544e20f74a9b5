package launch_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// Launching a Fabric network records, besides the frozen blocks, what each channel's
// config holds at sequence 0 (cue/channels.cue): the members and consenters the
// genesis block lists, named as the model names them.
func TestLaunchRecordsEachChannelsGenesisConfig(t *testing.T) {
	repo, _ := testenv.FabricRepo(t)
	if _, err := keys.Init(repo, keys.InitOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	result, err := launch.Launch(repo)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(result.Written, []string{launch.ChannelsRecord, launch.GenesisRecord}) {
		t.Errorf("written %v", result.Written)
	}
	loaded, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	ch := loaded.Network.Fabric.Channels["trade"]
	rec := ch.OnChain
	if rec == nil {
		t.Fatal("no fabric.channels.trade.onChain after launch")
	}
	if rec.Sequence != 0 || !slices.Equal(rec.Members, []string{"contoso", "fabrikam", "northwind"}) ||
		!slices.Equal(rec.Consenters, ch.Consenters) || rec.Config == "" {
		t.Errorf("record %+v; want sequence 0, every party, the channel's consenters %v", rec, ch.Consenters)
	}
}
