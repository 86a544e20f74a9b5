package load_test

import (
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// A launched network must state its EVM milestone: its genesis is frozen, and a default
// that moves in a later flux-ledger release would otherwise change it. A network not
// launched yet gets the default (shanghai).
func TestLaunchedNetworkStatesItsEVM(t *testing.T) {
	base := readBase(t)
	launched := strings.Replace(base, "chainId:  1337", "chainId:  1337\n\tlaunched: true", 1)
	_, err := load.Network(testenv.Module(t, map[string]string{"network.cue": launched}))
	if err == nil || !strings.Contains(err.Error(), "network.genesis.evm: incomplete value") {
		t.Fatalf("launched network without genesis.evm: err = %v", err)
	}
	stated := strings.Replace(launched, "launched: true", "launched: true\n\tgenesis: evm: \"berlin\"", 1)
	result, err := load.Network(testenv.Module(t, map[string]string{"network.cue": stated}))
	if err != nil || result.Network.Genesis.EVM != "berlin" {
		t.Fatalf("stated berlin: %v", err)
	}
	result, err = load.Network(testenv.Module(t, map[string]string{"network.cue": base}))
	if err != nil || result.Network.Genesis.EVM != "shanghai" {
		t.Fatalf("not launched: evm %q, err %v", result.Network.Genesis.EVM, err)
	}
}
