package rollout_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/launch/launchtest"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/plan"
	"github.com/flux-ledger/flux-ledger/generator/render/besu"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// The base network of launchtest: alpha and beta with two validators each, f = 1 of
// the 4, and alpha's RPC node.
var nodeLines = map[string]string{
	"alpha-v1":  `"alpha-v1": {role: "validator", cluster: "alpha-aks", image: "docker.io/hyperledger/besu:24.12.2"}`,
	"alpha-v2":  `"alpha-v2": {role: "validator", cluster: "alpha-aks", image: "docker.io/hyperledger/besu:24.12.2"}`,
	"alpha-rpc": `"alpha-rpc": {role: "rpc", cluster: "alpha-aks", image: "docker.io/hyperledger/besu:24.12.2"}`,
	"beta-v1":   `"beta-v1": {role: "validator", cluster: "beta-onprem", image: "docker.io/hyperledger/besu:24.12.2", ports: p2p: 30303}`,
	"beta-v2":   `"beta-v2": {role: "validator", cluster: "beta-onprem", image: "docker.io/hyperledger/besu:24.12.2", ports: p2p: 30304}`,
}

const limit = 1 // f of 4 validators: BftHelpers, quorum ⌈2n/3⌉ = 3

func upgrade(t *testing.T, repo string, nodes ...string) {
	for _, n := range nodes {
		testenv.EditNetwork(t, repo, nodeLines[n], strings.Replace(nodeLines[n], "24.12.2", "26.2.0", 1))
	}
}

func network(t *testing.T, repo string) *model.Network {
	t.Helper()
	loaded, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	return loaded.Network
}

// templates reads every node's pod template from the generated tree, the way the
// StatefulSet controller sees it: a pod is replaced when spec.template changes.
func templates(t *testing.T, repo string) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repo, "parties", "*", "nodes", "*", besu.NodeFile))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var sts appsv1.StatefulSet
		if err := yaml.Unmarshal(bytes.SplitN(data, []byte("\n---\n"), 2)[0], &sts); err != nil || sts.Kind != "StatefulSet" {
			t.Fatalf("%s: first object is not a StatefulSet (%v)", f, err)
		}
		out[sts.Name], _ = json.Marshal(sts.Spec.Template)
	}
	return out
}

// down lists the validators (by the rendered role label) whose pods change between
// two generated trees, and fails if more than f go down at once or two of one party.
func down(t *testing.T, what string, before, after map[string][]byte, net *model.Network) []string {
	t.Helper()
	var validators []string
	parties := map[string]bool{}
	for name, tpl := range before {
		if now, ok := after[name]; !ok || bytes.Equal(tpl, now) || !net.Nodes[name].IsValidator() {
			continue
		}
		validators = append(validators, name)
		if party := net.Nodes[name].Party; parties[party] {
			t.Errorf("%s: restarts two validators of %s at once", what, party)
		} else {
			parties[party] = true
		}
	}
	if len(validators) > limit {
		t.Errorf("%s: %d validators down at once %v, f = %d", what, len(validators), validators, limit)
	}
	return validators
}

func computePlan(t *testing.T, base, head *model.Network) *plan.Plan {
	t.Helper()
	p, err := plan.Compute("base", base, head)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func refusedFor(p *plan.Plan, part string) bool {
	for _, r := range p.Refused {
		if strings.Contains(r, part) {
			return true
		}
	}
	return false
}

// The catalogue of changes that restart validators, on a launched network of 4
// validators (f = 1): each is refused as one pull request when it would take down more
// than f at once or two of a party, and the waves plan proposes, merged in turn, never
// do. Measured on the generated StatefulSets, not on what plan computes.
func TestImageUpgradesRollInWavesOfF(t *testing.T) {
	for _, tc := range []struct {
		name  string
		nodes []string
		waves int // ⌈validators/f⌉, and at least the largest party's count
	}{
		{"one validator", []string{"alpha-v1"}, 1},
		{"one party", []string{"alpha-v1", "alpha-v2", "alpha-rpc"}, 2},
		{"every party", []string{"alpha-v1", "alpha-v2", "alpha-rpc", "beta-v1", "beta-v2"}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			repo := launchtest.Repo(t)
			base := network(t, repo)
			upgrade(t, repo, tc.nodes...)
			p := computePlan(t, base, network(t, repo))
			if got := p.Restarts.Waves; len(got) != tc.waves {
				t.Fatalf("waves %v, want %d", got, tc.waves)
			}
			if refused := refusedFor(p, "validators at once"); refused != (tc.waves > 1) {
				t.Errorf("refused = %v for %d waves: %v", refused, tc.waves, p.Refused)
			}

			// Merge the proposed waves one by one: the member and RPC nodes go with the first.
			repo = launchtest.Repo(t)
			before := templates(t, repo)
			rest := map[string]bool{}
			for _, n := range tc.nodes {
				rest[n] = true
			}
			for i, wave := range p.Restarts.Waves {
				if i == 0 {
					wave = append(wave, "alpha-rpc")
				}
				var edit []string
				for _, n := range wave {
					if rest[n] {
						edit = append(edit, n)
						delete(rest, n)
					}
				}
				head := network(t, repo)
				upgrade(t, repo, edit...)
				if p := computePlan(t, head, network(t, repo)); len(p.Refused) > 0 {
					t.Errorf("wave %d %v refused: %v", i+1, wave, p.Refused)
				}
				launchtest.Generate(t, repo)
				after := templates(t, repo)
				if got := down(t, "wave "+wave[0], before, after, head); len(got) == 0 {
					t.Errorf("wave %d restarts no validator", i+1)
				}
				before = after
			}
			if len(rest) > 0 {
				t.Errorf("never upgraded: %v", rest)
			}
		})
	}
}

// A transition reaches a node only when it restarts (Besu 24.12.2 BesuCommand reads
// the genesis once per process, a memoized supplier), so it restarts every node; plan
// refuses it in one piece, and flux-ledger rollout stages it: each wave restarts at
// most f validators, one per party, until every node's pod carries the transition.
func TestTransitionRestartsEveryNodeInWaves(t *testing.T) {
	repo := launchtest.Repo(t, [2]string{"\tchainId:  1337", "\tchainId:  1337\n\tgovernance: method: \"transition\""})
	if _, err := launch.RecordValidators(repo, 100); err != nil {
		t.Fatal(err)
	}
	base, before := network(t, repo), templates(t, repo)
	var addresses []string
	for _, a := range besu.Validators(base) {
		addresses = append(addresses, `"`+strings.ToLower(a.Hex())+`"`)
	}
	testenv.EditNetwork(t, repo, "governance: method: \"transition\"",
		"governance: {method: \"transition\", transitions: [{block: 500000, validators: ["+strings.Join(addresses, ", ")+"]}]}")
	head := network(t, repo)
	p := computePlan(t, base, head)
	if len(p.Restarts.Nodes) != len(head.Nodes) {
		t.Errorf("a transition restarts %d of %d nodes", len(p.Restarts.Nodes), len(head.Nodes))
	}
	if !refusedFor(p, "run flux-ledger rollout") {
		t.Fatalf("a transition restarting 4 validators at once is not refused: %v", p.Refused)
	}

	waves := 0
	for ; waves < 10; waves++ {
		wave, _, err := launch.RecordRollout(repo, base)
		if err != nil {
			t.Fatalf("wave %d: %v", waves+1, err)
		}
		head = network(t, repo)
		if p := computePlan(t, base, head); len(p.Refused) > 0 {
			t.Errorf("wave %d refused: %v", waves+1, p.Refused)
		} else if !strings.Contains(strings.Join(p.Consequences, "\n"), "before block 500000") {
			t.Errorf("wave %d: no deadline in %v", waves+1, p.Consequences)
		}
		launchtest.Generate(t, repo)
		after := templates(t, repo)
		down(t, "transition wave", before, after, base)
		before, base = after, head
		if len(wave.Held) == 0 {
			break
		}
	}
	if waves+1 != 4 {
		t.Errorf("%d waves, want 4 (4 validators, f = 1)", waves+1)
	}
	if _, _, err := launch.RecordRollout(repo, base); err == nil || !strings.Contains(err.Error(), "no restart to stage") {
		t.Errorf("rollout after the last wave: %v", err)
	}
	for name, tpl := range before {
		var template struct {
			Metadata struct{ Annotations map[string]string } `json:"metadata"`
		}
		json.Unmarshal(tpl, &template)
		if got := template.Metadata.Annotations[besu.TransitionsAnnotation]; got != "1" {
			t.Errorf("%s runs %q transitions after the rollout, want 1", name, got)
		}
	}
}
