package plan_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/launch/launchtest"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// A node moving to another cluster of its party, a cluster exposed another way and a
// cluster connecting out from other addresses each say what happens and to whom.
func TestPlanSaysWhatATopologyEditMeans(t *testing.T) {
	// alpha has a second cluster to move a validator to.
	repo := launchtest.Repo(t, [2]string{"\t\t\"beta-onprem\": {", `		"alpha-gke": {
			party:    "alpha"
			provider: "gke"
			region:   "westeurope"
			gitops: mode: "flux"
			exposure: {mode: "istio", dnsSuffix: "gke.alpha.example"}
			egressCIDRs: ["203.0.113.64/28"]
			storage: class: "premium-rwo"
		}
		"beta-onprem": {`})
	dir := filepath.Join(repo, "cue")
	base := loadNetwork(t, dir)
	for _, tc := range []struct {
		edit     string
		old, new string
		says     []string
	}{
		{"node moves", `"alpha-v2": {role: "validator", cluster: "alpha-aks"`, `"alpha-v2": {role: "validator", cluster: "alpha-gke"`,
			[]string{"node alpha-v2 (validator of alpha) moves from cluster alpha-aks to alpha-gke", "the chain has one validator fewer", "alpha-gke needs the node's storage class (premium-rwo) and its exposure (istio) ready"}},
		{"exposure", `exposure: {mode: "haproxy", dnsSuffix: "beta.example"}`, `exposure: {mode: "haproxy", dnsSuffix: "p2p.beta.example"}`,
			[]string{"cluster beta-onprem of party beta is exposed by haproxy under p2p.beta.example at p2p.p2p.beta.example instead of haproxy under beta.example at p2p.beta.example", "beta-v1 p2p.beta.example:30303 → p2p.p2p.beta.example:30303", "the peer lists of alpha follow"}},
		{"egress", `egressCIDRs: ["198.51.100.0/28"]`, `egressCIDRs: ["198.51.100.128/28"]`,
			[]string{"cluster beta-onprem of party beta connects out from other addresses (egress adds 198.51.100.128/28 and removes 198.51.100.0/28)", "source ranges of alpha admit"}},
	} {
		t.Run(tc.edit, func(t *testing.T) {
			edited := t.TempDir()
			testenv.CopyDir(t, dir, edited)
			testenv.EditFile(t, filepath.Join(edited, "network.cue"), tc.old, tc.new)
			p := compute(t, base, loadNetwork(t, edited))
			all := strings.Join(p.Consequences, "\n")
			for _, want := range tc.says {
				if !strings.Contains(all, want) {
					t.Errorf("consequences lack %q:\n%s", want, all)
				}
			}
		})
	}
}
