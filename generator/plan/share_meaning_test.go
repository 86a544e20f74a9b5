package plan_test

import (
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// A party starting, changing or stopping to share series says, in plan, which series
// leave for which parties: what its reviewers, and the receiving parties, agree to.
func TestPlanSaysWhichSeriesAPartyShares(t *testing.T) {
	const anchor = `"beta-onprem": {`
	alpha, _ := testenv.AgeKey(t)
	beta, _ := testenv.AgeKey(t)
	network := func(share string) string {
		text := testenv.BaseNetwork(t, alpha.Recipient().String(), beta.Recipient().String())
		if share == "" {
			return text
		}
		if !strings.Contains(text, anchor) {
			t.Fatalf("the base network has no %s", anchor)
		}
		return strings.Replace(text, anchor, anchor+"\n\t\t\tmonitoring: {mode: \"prometheusOperator\", share: "+share+"}", 1)
	}
	images := `images: {prometheus: "docker.io/prom/prometheus:v3.5.0", configReloader: "docker.io/example/prometheus-config-reloader:v0.93.1"}`
	first := `{url: "https://metrics.consortium.example/api/v1/write", series: ["up", "ethereum_blockchain_height"], with: ["alpha"], ` + images + `}`
	second := `{url: "https://metrics.consortium.example/api/v1/write", series: ["ethereum_blockchain_height", "ethereum_peer_count"], with: ["alpha"], ` + images + `}`
	for _, tc := range []struct {
		name       string
		base, head string
		says       string
	}{
		{"added", "", first,
			"party beta shares these series with alpha: ethereum_blockchain_height, up (from cluster beta-onprem, to https://metrics.consortium.example/api/v1/write)"},
		{"changed", first, second,
			"party beta shares these series with alpha: ethereum_blockchain_height, ethereum_peer_count (from cluster beta-onprem, to https://metrics.consortium.example/api/v1/write); series adds ethereum_peer_count and removes up"},
		{"removed", first, "", "party beta stops sharing series from cluster beta-onprem with alpha"},
		{"unchanged", first, first, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := loadNetwork(t, testenv.Module(t, map[string]string{"network.cue": network(tc.base)}))
			head := loadNetwork(t, testenv.Module(t, map[string]string{"network.cue": network(tc.head)}))
			p := compute(t, base, head)
			var shares []string
			for _, c := range p.Consequences {
				if strings.Contains(c, "shar") {
					shares = append(shares, c)
				}
			}
			if tc.says == "" {
				if len(shares) > 0 {
					t.Errorf("an unchanged share says %q", shares)
				}
				return
			}
			if len(shares) != 1 || shares[0] != tc.says {
				t.Errorf("plan says %q\nwant %q", shares, tc.says)
			}
		})
	}
}
