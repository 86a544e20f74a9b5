package configtx_test

import (
	"slices"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// A member's anchor peers changed after launch, decoded with Fabric's own protos: only
// its AnchorPeers value is written, at version+1 with mod_policy Admins (Fabric v2.5.16
// internal/configtxlator/update/update.go computeValuesMapUpdate), so the update needs
// the member's own Admins alone (common/configtx/update.go verifyDeltaSet: the value's
// mod_policy, relative to its org group). A member that had none gains a value: its
// group changes membership, so the group is written at version+1 with its other
// elements by version only, and the new value at version 0 (computeGroupUpdate), under
// the group's mod_policy, the same Admins. The same JSON came out of configtxlator
// compute_update over a running v2.5.16 channel (docs/platforms/fabric.md).
func TestAnchorPeersUpdateDecodesWithFabricProtos(t *testing.T) {
	n := newNetwork(t)
	current := decodeConfig(t, n.channel)
	for _, tc := range []struct {
		org                   string
		groupVersion, version int
		values                []string
	}{{"AlphaMSP", 0, 1, []string{"AnchorPeers"}}, {"GammaMSP", 1, 0, []string{"AnchorPeers", "MSP"}}} {
		peers := []configtx.AnchorPeer{{Host: "peer0.example", Port: 7051}, {Host: "peer1.example", Port: 7052}}
		updated, err := configtx.WithAnchorPeers(current, tc.org, peers)
		if err != nil {
			t.Fatal(err)
		}
		u := compute(t, current, updated)
		cu := decodeEnvelope(t, u.Envelope()).ConfigUpdateEnvelope.ConfigUpdate
		app := cu.WriteSet.Groups["Application"]
		if groups, values, policies := groupKeys(app); !slices.Equal(groups, []string{tc.org}) || len(values)+len(policies) != 0 {
			t.Errorf("%s: write set /Channel/Application: groups %v, values %v, policies %v", tc.org, groups, values, policies)
		}
		org := app.Groups[tc.org]
		if groups, values, _ := groupKeys(org); org.Version != tc.groupVersion || len(groups) != 0 || !slices.Equal(values, tc.values) {
			t.Errorf("%s: write set: version %d, groups %v, values %v; want version %d, values %v", tc.org, org.Version, groups, values, tc.groupVersion, tc.values)
		}
		if _, ok := org.Values["MSP"]; ok {
			var m fabricMSP
			if v := org.value(t, "MSP", &m); v.Version != 0 || m.Fabric != nil && len(m.Fabric.RootCerts) > 0 {
				t.Errorf("%s: the unchanged MSP is written whole (version %d), not by version", tc.org, v.Version)
			}
		}
		var anchors struct {
			AnchorPeers []struct {
				Host string `json:"host"`
				Port int    `json:"port"`
			} `json:"anchorPeers"`
		}
		v := org.value(t, "AnchorPeers", &anchors)
		if v.Version != tc.version || v.ModPolicy != "Admins" || len(anchors.AnchorPeers) != 2 || anchors.AnchorPeers[1].Host != "peer1.example" || anchors.AnchorPeers[1].Port != 7052 {
			t.Errorf("%s: AnchorPeers version %d, mod_policy %q, %+v", tc.org, v.Version, v.ModPolicy, anchors.AnchorPeers)
		}
		reqs := requirements(t, u, current)
		if len(reqs) != 1 || reqs[0].Policy != "/Channel/Application/"+tc.org+"/Admins" || reqs[0].Threshold != 1 || !slices.Equal(reqs[0].Orgs, []string{tc.org}) {
			t.Errorf("%s: requirements %+v, want the member's own Admins", tc.org, reqs)
		}
	}
	if _, err := configtx.WithAnchorPeers(current, "DeltaMSP", nil); err == nil {
		t.Error("anchor peers of an organisation that is no member")
	}
}
