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
