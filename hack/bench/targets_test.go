package main

import "testing"

// A network that failed part way (at 3,000 parties a cold generate can refuse the
// network) still answers the goals of the steps it measured, and only those.
func TestCheckKeepsTheGoalsOfTheStepsMeasured(t *testing.T) {
	failed := Result{Platform: "besu", Parties: 3000, Error: "generate (cold): exit status 1", Measurements: []Measurement{
		{Step: stepCue, Seconds: 10, CPUSeconds: 10, PeakMB: 1500},
		{Step: stepVet, Seconds: 12, CPUSeconds: 13, PeakMB: 1600},
	}}
	targets := check([]Result{failed})
	if len(targets) != 1 || targets[0].Name != "vet / cue export" || targets[0].Value != 1.2 || !targets[0].Pass {
		t.Fatalf("targets %+v, want vet / cue export alone, 1.2× PASS", targets)
	}
	// Refused by flux-ledger at the cold generate: its goals are missed, saying why;
	// the goal measured before stands.
	refused := failed
	refused.Refused = "generate (cold): the static-nodes list does not fit a ConfigMap"
	byName := map[string]Target{}
	for _, target := range check([]Result{refused}) {
		byName[target.Name] = target
	}
	if len(byName) != 3 || !byName["vet / cue export"].Pass || byName["cold generate"].Pass || byName["cold generate"].Unmet != refused.Refused ||
		byName["peak memory of flux-ledger"].Pass || byName["peak memory of flux-ledger"].Unmet == "" {
		t.Fatalf("refused network: %+v, want vet / cue export PASS and the generate goals missed with the reason", byName)
	}
	whole := failed
	whole.Error = ""
	whole.Measurements = append(whole.Measurements,
		Measurement{Step: stepCold, Seconds: 90, PeakMB: 4000},
		Measurement{Step: stepNoop, Seconds: 20, PeakMB: 2000},
		Measurement{Step: stepOneNode, Seconds: 20, PeakMB: 2000})
	got := map[string]bool{}
	for _, target := range check([]Result{whole}) {
		got[target.Name] = target.Pass
	}
	if len(got) != 3 || got["cold generate"] || got["peak memory of flux-ledger"] || !got["vet / cue export"] {
		t.Fatalf("goals %v, want vet / cue export PASS, cold generate and peak memory MISS", got)
	}
}
