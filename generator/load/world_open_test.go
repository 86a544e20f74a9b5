package load_test

import (
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// A party that means to admit the whole internet says so on the cluster
// (allowWorldOpen: true); flux-ledger vet and cue vet then accept 0.0.0.0/0 and ::/0.
func TestWorldOpenEgressNeedsAllowWorldOpen(t *testing.T) {
	network := strings.Replace(readBase(t), `egressCIDRs: ["198.51.100.0/28"]`,
		`egressCIDRs: ["0.0.0.0/0", "::/0"], allowWorldOpen: true`, 1)
	dir := testenv.Module(t, map[string]string{"network.cue": network})
	result, err := load.Network(dir)
	if err != nil {
		t.Fatalf("allowWorldOpen: true: %v", err)
	}
	if !result.Network.Clusters["beta-onprem"].AllowWorldOpen {
		t.Error("allowWorldOpen is not in the model")
	}
	if out, err := cueVet(t, dir); err != nil {
		t.Errorf("cue vet: %v\n%s", err, out)
	}
}
