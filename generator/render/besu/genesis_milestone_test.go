package besu

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

func genesisOf(t *testing.T, network *model.Network, evm string) map[string]any {
	t.Helper()
	n := clone(network)
	n.Genesis.EVM = evm
	data, err := Genesis(n)
	if err != nil {
		t.Fatal(err)
	}
	g := map[string]any{}
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// The milestone keys Besu 24.12.2 reads (config/.../JsonGenesisConfigOptions.java:
// "berlinblock", "londonblock", "shanghaitime", "zerobasefee", after GenesisReader
// lower-cases every key) for each EVM choice, all at block/time 0 — which also keeps
// the order ProtocolScheduleBuilder.validateEthereumForkOrdering demands (Berlin ≤
// London ≤ Shanghai). From London on the genesis states baseFeePerGas 0: without it
// GenesisConfigFile.getGenesisBaseFeePerGas gives a London-at-0 genesis a default
// non-zero fee, while ZeroBaseFeeMarket (MainnetProtocolSpecs, zeroBaseFee) keeps
// every later block at 0, so --min-gas-price=0 stays valid.
func TestGenesisMilestones(t *testing.T) {
	network := reference(t)
	cases := []struct {
		evm     string
		config  []string
		baseFee bool
	}{
		{model.EVMBerlin, []string{"berlinblock"}, false},
		{model.EVMLondon, []string{"berlinblock", "londonblock", "zerobasefee"}, true},
		{model.EVMShanghai, []string{"berlinblock", "londonblock", "shanghaitime", "zerobasefee"}, true},
	}
	for _, c := range cases {
		g := genesisOf(t, network, c.evm)
		config := g["config"].(map[string]any)
		var milestones []string
		for key, value := range config {
			k := strings.ToLower(key)
			if k == "chainid" || k == "qbft" || k == "ibft2" {
				continue
			}
			milestones = append(milestones, k)
			if k == "zerobasefee" {
				if value != true {
					t.Errorf("%s: zeroBaseFee = %v", c.evm, value)
				}
			} else if value != float64(0) {
				t.Errorf("%s: %s = %v, want 0", c.evm, key, value)
			}
		}
		slices.Sort(milestones)
		if !slices.Equal(milestones, c.config) {
			t.Errorf("%s: milestones %v, want %v", c.evm, milestones, c.config)
		}
		if fee, ok := g["baseFeePerGas"]; ok != c.baseFee || (ok && fee != "0x0") {
			t.Errorf("%s: baseFeePerGas %v (present %v)", c.evm, fee, ok)
		}
	}
}

// A network launched before the EVM became a choice states evm "berlin" and gets the
// genesis it always had: the same top-level fields and config keys as before (a
// launched genesis never changes; generate refuses to rewrite it anyway).
func TestBerlinGenesisKeepsTheOriginalShape(t *testing.T) {
	g := genesisOf(t, reference(t), model.EVMBerlin)
	top := slices.Sorted(maps.Keys(g))
	want := []string{"alloc", "coinbase", "config", "difficulty", "extraData", "gasLimit", "mixHash", "nonce", "timestamp"}
	if !slices.Equal(top, want) {
		t.Errorf("fields %v, want %v", top, want)
	}
}

// Solidity ≥ 0.8.20 targets Shanghai and emits PUSH0 by default: the reference
// network must enable it.
func TestReferenceNetworkRunsShanghai(t *testing.T) {
	g := genesisOf(t, reference(t), reference(t).Genesis.EVM)
	if _, ok := g["config"].(map[string]any)["shanghaiTime"]; !ok {
		t.Error("the reference genesis does not enable Shanghai (PUSH0)")
	}
}

func TestUnknownMilestoneIsAnError(t *testing.T) {
	n := clone(reference(t))
	n.Genesis.EVM = "cancun"
	if _, err := Genesis(n); err == nil || !strings.Contains(err.Error(), "genesis.evm") {
		t.Errorf("err = %v", err)
	}
}
