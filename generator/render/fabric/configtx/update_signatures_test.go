package configtx_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// channelWithOrgs is the test channel with n application orgs.
func channelWithOrgs(t *testing.T, n int) configtx.Channel {
	t.Helper()
	c := newNetwork(t).channel
	for i := len(c.ApplicationOrgs); i < n; i++ {
		ca := newCA(t, fmt.Sprintf("org%d-ca", i))
		c.ApplicationOrgs = append(c.ApplicationOrgs, configtx.Org{
			MSPID: fmt.Sprintf("Org%dMSP", i), RootCerts: [][]byte{ca.pem}, TLSRootCerts: [][]byte{ca.pem},
			NodeOUs: configtx.StandardNodeOUs(ca.pem),
		})
	}
	c.ApplicationOrgs = c.ApplicationOrgs[:n]
	return c
}

// An org joining needs /Channel/Application's mod_policy, Admins, which configtxgen
// writes as ImplicitMeta MAJORITY Admins (policies_test.go checks the genesis block
// says so). Fabric v2.5.16 common/policies/implicitmeta.go NewImplicitMetaPolicy: the
// threshold of MAJORITY is len(sub-policies)/2 + 1, one sub-policy per org group, so
// more than half of the current members' admins sign: 2 of 3, 3 of 4, 4 of 7. The new
// org signs nothing: it is not in the config its update is checked against, and a new
// group needs no policy (common/configtx/update.go verifyDeltaSet).
func TestOrgJoinSignaturesMajorityOfAdmins(t *testing.T) {
	for _, tc := range []struct{ orgs, threshold int }{{3, 2}, {4, 3}, {7, 4}} {
		t.Run(fmt.Sprint(tc.orgs), func(t *testing.T) {
			current, u := joinUpdate(t, encode(t, channelWithOrgs(t, tc.orgs)), joiner(t))
			reqs, err := u.Requirements(current)
			if err != nil {
				t.Fatal(err)
			}
			if len(reqs) != 1 {
				t.Fatalf("want one policy (the Application group's), got %+v", reqs)
			}
			r := reqs[0]
			if r.Element != "/Channel/Application" || r.Policy != "/Channel/Application/Admins" || r.Rule != "MAJORITY" || r.SubPolicy != "Admins" {
				t.Errorf("requirement %+v", r)
			}
			if r.Threshold != tc.threshold || len(r.Orgs) != tc.orgs || slices.Contains(r.Orgs, "DeltaMSP") {
				t.Errorf("%d orgs: threshold %d of %v; want %d of the %d current members", tc.orgs, r.Threshold, r.Orgs, tc.threshold, tc.orgs)
			}
		})
	}
}
