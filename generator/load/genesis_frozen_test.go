package load_test

import (
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// The EVM milestone defaults to shanghai and a stated one is kept. A launched network
// renders its recorded genesis whatever this says (generator/launch tests), so the
// default may move in a later release without touching a running chain.
func TestGenesisEVMDefault(t *testing.T) {
	base := readBase(t)
	result, err := load.Network(testenv.Module(t, map[string]string{"network.cue": base}))
	if err != nil || result.Network.Genesis.EVM != "shanghai" {
		t.Fatalf("default: evm %v, err %v", result, err)
	}
	stated := strings.Replace(base, "chainId:  1337", "chainId:  1337\n\tgenesis: evm: \"berlin\"", 1)
	result, err = load.Network(testenv.Module(t, map[string]string{"network.cue": stated}))
	if err != nil || result.Network.Genesis.EVM != "berlin" {
		t.Fatalf("stated berlin: %v", err)
	}
}

// A launched network whose frozen record is present loads, with the record decoded.
func TestLaunchedNetworkLoadsItsRecord(t *testing.T) {
	launched := strings.Replace(readBase(t), "chainId:  1337", "chainId:  1337\n\tlaunched: true\n\tgenesis: frozen: {json: \"{}\\n\", validators: {}}\n\tgovernance: onChain: {}", 1)
	result, err := load.Network(testenv.Module(t, map[string]string{"network.cue": launched}))
	if err != nil {
		t.Fatal(err)
	}
	if f := result.Network.Genesis.Frozen; f == nil || f.JSON != "{}\n" || result.Network.Governance.Method != "vote" {
		t.Fatalf("frozen %+v, method %q", f, result.Network.Governance.Method)
	}
}
