package load_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// Two parties with two validators each: 4 validators, quorum ⌈2·4/3⌉ = 3 (Besu
// BftHelpers.calculateRequiredValidatorQuorum), so either party down stops the chain.
// vet still accepts the network (two founders cannot do better) but warns, naming each
// party. The reference network (7 validators, quorum 5, at most 2 per party) gets no
// such warning (only its placeholders, an example's), nor does init's three-party
// starter (6 validators, quorum 4, 2 per party: TestInitToPlanWithTheBinaryOnly).
func TestVetWarnsWhenOnePartysOutageStopsTheChain(t *testing.T) {
	result, err := load.Network(testenv.Module(t, map[string]string{"network.cue": readBase(t)}))
	if err != nil {
		t.Fatal(err)
	}
	var warned []string
	for _, w := range result.Warnings {
		warned = append(warned, w.String())
	}
	got := strings.Join(warned, "\n")
	for _, party := range []string{"alpha", "beta"} {
		if !strings.Contains(got, "party "+party+" runs 2 of the 4 validators") || !strings.Contains(got, "an outage of "+party+" alone stops the chain") {
			t.Errorf("no warning for %s:\n%s", party, got)
		}
	}
	if outages := len(result.Warnings) - len(result.Placeholders); outages != 2 {
		t.Errorf("%d outage warnings, want 2:\n%s", outages, got)
	}

	reference, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	if len(reference.Warnings) != len(reference.Placeholders) {
		t.Errorf("the reference network warns of more than its placeholders: %v", reference.Warnings)
	}
}

// Raft orders a Fabric channel while a majority of its consenters is up (Fabric
// docs/source/orderer/ordering_service.md): with 4 consenters, 3 must be up, so a
// party running 2 stops the channel alone. The reference Fabric network (one orderer
// per party, 3 consenters) gets no such warning; given a second contoso orderer
// (every orderer is a consenter by default), vet warns of contoso alone.
func TestVetWarnsWhenOnePartysOutageStopsARaftChannel(t *testing.T) {
	example := testenv.FabricExample(t)
	reference, err := load.Network(testenv.Module(t, map[string]string{"network.cue": example}))
	if err != nil {
		t.Fatal(err)
	}
	if len(reference.Warnings) != len(reference.Placeholders) {
		t.Errorf("the reference Fabric network warns of more than its placeholders: %v", reference.Warnings)
	}

	orderer := `		"contoso-orderer-1": {role: "orderer", cluster: "contoso-aks-weu", image: orderer}` + "\n"
	if !strings.Contains(example, orderer) {
		t.Fatal("examples/fabric/network.cue no longer has contoso-orderer-1 as expected")
	}
	edited := strings.Replace(example, orderer, orderer+strings.ReplaceAll(orderer, "orderer-1", "orderer-2"), 1)
	result, err := load.Network(testenv.Module(t, map[string]string{"network.cue": edited}))
	if err != nil {
		t.Fatal(err)
	}
	var outages []string
	for _, w := range result.Warnings {
		if !strings.Contains(w.Message, "placeholder") {
			outages = append(outages, w.String())
		}
	}
	want := "network.parties.contoso: party contoso runs 2 of the 4 consenters of channel trade and Raft stops ordering when more than 1 are down: an outage of contoso alone stops channel trade"
	if len(outages) != 1 || !strings.HasPrefix(outages[0], want) {
		t.Errorf("outage warnings %q, want one starting %q", outages, want)
	}
}
