package generator_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// TestCachedGenerateIsByteIdenticalToFullRender runs generate with a render record
// on synthetic Besu and Fabric networks of 3, 30 and 300 parties through the edits a
// network sees — none, one node's resources (only its party's units render again), a
// file another party changed by hand, a shared change (every unit renders again) —
// and after each one compares every generator-owned file on disk with a full render
// of the network made without any record: not one byte may differ.
func TestCachedGenerateIsByteIdenticalToFullRender(t *testing.T) {
	type network struct {
		platform string
		parties  int
		peering  string
	}
	for _, nw := range []network{{"besu", 3, ""}, {"besu", 30, ""}, {"besu", 300, ""}, {"besu", 30, model.PeeringSparse},
		{"fabric", 3, ""}, {"fabric", 30, ""}, {"fabric", 300, ""}} {
		name := fmt.Sprintf("%s-%d", nw.platform, nw.parties)
		if nw.peering != "" {
			name += "-" + nw.peering
		}
		t.Run(name, func(t *testing.T) {
			if nw.parties >= 300 && testing.Short() {
				t.Skip("300 parties take about a minute on two cores")
			}
			t.Parallel()
			synth, first, edited := testenv.SynthNetwork, "p0000", "p0000-rpc-3"
			if nw.platform == "fabric" {
				synth, first, edited = testenv.SynthFabricNetwork, "o0000", "o0000-peer-1"
			}
			recipients := map[string]string{}
			write := func(repo string, edit func(map[string]any)) {
				t.Helper()
				src, err := synth(testenv.SynthOptions{Parties: nw.parties, Peering: nw.peering, Edit: edit, Recipients: func(party string) string {
					if recipients[party] == "" {
						id, _ := testenv.AgeKey(t)
						recipients[party] = id.Recipient().String()
					}
					return recipients[party]
				}})
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(repo, "cue", "network.cue"), src, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			repo := testenv.Repo(t, "package network\n")
			write(repo, nil)
			if _, err := keys.Init(repo, keys.InitOptions{All: true}); err != nil {
				t.Fatal(err)
			}
			cacheDir := t.TempDir()
			generate := func() *generator.Report {
				t.Helper()
				report, err := generator.Generate(generator.Options{Repo: repo, CacheDir: cacheDir})
				if err != nil {
					t.Fatal(err)
				}
				return report
			}
			// The first generate, with an empty record, renders every unit.
			units := len(generate().Rendered)
			// At 300 parties a full render to compare with takes tens of seconds: the
			// one-node change alone is checked there, every step at 3 and 30.
			every := nw.parties < 300
			if every {
				if report := generate(); len(report.Changes) != 0 || len(report.Rendered) != 0 {
					t.Fatalf("no-op: %d changes, %d units rendered again (%v)", len(report.Changes), len(report.Rendered), report.Rendered)
				}
				sameAsFullRender(t, repo)
			}

			write(repo, func(network map[string]any) {
				node := network["nodes"].(map[string]any)[edited].(map[string]any)
				node["resources"] = map[string]any{"limits": map[string]any{"memory": "8Gi"}}
			})
			report := generate()
			sameAsFullRender(t, repo)
			if len(report.Changes) != 1 {
				t.Fatalf("one node's memory limit: %d changes, want 1: %v", len(report.Changes), report.Changes)
			}
			// Its party's directory and policies and its cluster's entry point, no more.
			if len(report.Rendered) != 3 || !slices.Contains(report.Rendered, "parties/"+first) {
				t.Fatalf("one node's memory limit rendered %v again, want the 3 units of %s", report.Rendered, first)
			}
			if !every {
				return
			}

			// Another party changes a file of first's directory by hand: the record no
			// longer vouches for the unit, which renders again and restores the file.
			changed := report.Changes[0].Path
			if err := os.WriteFile(filepath.Join(repo, filepath.FromSlash(changed)), []byte("# not what was rendered\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if report := generate(); len(report.Changes) != 1 || report.Changes[0].Path != changed {
				t.Fatalf("a file changed by hand: changes %v, want %s restored", report.Changes, changed)
			}
			sameAsFullRender(t, repo)

			// A change every party's files read (a cluster's egress, in every party's
			// NetworkPolicies) renders every unit again.
			write(repo, func(network map[string]any) {
				for _, c := range network["clusters"].(map[string]any) {
					if cluster := c.(map[string]any); cluster["party"] == first {
						cluster["egressCIDRs"] = []string{"10.250.0.0/24"}
					}
				}
			})
			if report := generate(); len(report.Rendered) != units {
				t.Fatalf("a shared change rendered %d units again, want all %d", len(report.Rendered), units)
			}
			sameAsFullRender(t, repo)
		})
	}
}

// sameAsFullRender fails unless the repository holds exactly what a full render of its
// network, made without any record, desires.
func sameAsFullRender(t *testing.T, repo string) {
	t.Helper()
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	desired, err := render.Desired(result.Network)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := tree.Diff(repo, desired, generator.Ownership, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		t.Errorf("%s: the repository differs from a full render (%s)", c.Path, c.Action)
	}
	if t.Failed() {
		t.FailNow()
	}
}
