package plan_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/plan"
)

func ownedNetwork() *model.Network {
	return &model.Network{
		Consensus: model.Consensus{Algorithm: model.QBFT},
		Parties: map[string]model.Party{
			"alpha": {Name: "alpha", Recipients: []string{"age1a"}},
			"beta":  {Name: "beta", Recipients: []string{"age1b"}},
		},
		Clusters:   map[string]model.Cluster{"beta-onprem": {Name: "beta-onprem", Party: "beta", EgressCIDRs: []string{"198.51.100.0/28"}}},
		Nodes:      map[string]model.Node{"beta-v1": {Name: "beta-v1", Party: "beta", Cluster: "beta-onprem", Image: "besu:1"}},
		Identities: map[string]model.Identity{"beta-v1": {Address: "0x01"}},
		MSP:        map[string]model.OrgIdentity{"beta": {CACert: "ca"}},
	}
}

// What each party alone may change is attributed by field: a cluster or a node that
// changes hands needs both parties, an identity of no node has no owner, and shared fields
// (a node's image, the consensus) are nobody's alone.
func TestOwnedChangesAttributeByMeaning(t *testing.T) {
	base, head := ownedNetwork(), ownedNetwork()
	head.Consensus.BlockPeriodSeconds = 5
	head.Nodes["beta-v1"] = model.Node{Name: "beta-v1", Party: "beta", Cluster: "beta-onprem", Image: "besu:2"}
	head.Identities["beta-v1"] = model.Identity{Address: "0x02"}
	head.Identities["ghost"] = model.Identity{Address: "0x03"}
	head.MSP["beta"] = model.OrgIdentity{CACert: "minted"}
	head.Parties["beta"] = model.Party{Name: "beta", Recipients: []string{"age1m"}, Reviewers: []string{"@m"}}
	head.Clusters["beta-onprem"] = model.Cluster{Name: "beta-onprem", Party: "alpha", EgressCIDRs: []string{"198.51.100.0/28"}}
	base.Nodes["beta-v2"] = model.Node{Name: "beta-v2", Party: "beta", Cluster: "beta-onprem"}
	head.Nodes["beta-v2"] = model.Node{Name: "beta-v2", Party: "alpha", Cluster: "alpha-aks"}

	var got []string
	for _, o := range plan.OwnedChanges(base, head) {
		got = append(got, fmt.Sprintf("%s %s %v", o.Field, o.Action, o.Parties))
	}
	want := []string{
		"identities.beta-v1.address changed [beta]",
		"identities.ghost added []",
		"nodes.beta-v2.party changed [alpha beta]",
		"msp.beta.caCert changed [beta]",
		"parties.beta.recipients changed [beta]",
		"parties.beta.reviewers changed [beta]",
		"clusters.beta-onprem.party changed [alpha beta]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
