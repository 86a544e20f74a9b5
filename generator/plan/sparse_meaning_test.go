package plan_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// With sparse peering a cluster's new egress concerns the parties linked to its party
// (their nodes admit it), not every party: plan names those and only those.
func TestPlanNamesTheLinkedPartiesOfASparseNetwork(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "generator", "load", "testdata", "valid", "seven-parties.cue"))
	if err != nil {
		t.Fatal(err)
	}
	dir := testenv.Module(t, map[string]string{"network.cue": string(data)})
	base := loadNetwork(t, dir)
	edited := testenv.Module(t, map[string]string{"network.cue": strings.Replace(string(data), `egressCIDRs: ["203.0.113.8/32"]`, `egressCIDRs: ["203.0.113.9/32"]`, 1)})
	head := loadNetwork(t, edited)
	var cluster, party string
	for _, c := range head.Clusters {
		if len(c.EgressCIDRs) == 1 && c.EgressCIDRs[0] == "203.0.113.9/32" {
			cluster, party = c.Name, c.Party
		}
	}
	if cluster == "" {
		t.Fatal("the edit changed no cluster's egress")
	}
	linked := peering.Of(head).Links(party)
	if len(linked) == 0 || len(linked) >= len(head.Parties)-1 {
		t.Fatalf("%s is linked to %v of %d parties: the network does not peer sparsely", party, linked, len(head.Parties))
	}
	var says string
	for _, c := range compute(t, base, head).Consequences {
		if strings.Contains(c, "cluster "+cluster+" of party "+party+" connects out from other addresses") {
			says = c
		}
	}
	if says == "" {
		t.Fatalf("plan says nothing of %s's new egress", cluster)
	}
	if !strings.Contains(says, "source ranges of "+strings.Join(linked, ", ")+" admit") {
		t.Errorf("plan does not name exactly the linked parties %v:\n%s", linked, says)
	}
}
