package besu

import (
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Besu 24.12.2 metrics/core/.../prometheus/MetricsHttpService.java checkAllowlistHostHeader
// answers 403 unless the Host header is in the hosts allowlist or the list holds "*";
// the list is --host-allowlist (BesuCommand builds the MetricsConfiguration with
// .hostsAllowlist(hostsAllowlist)), default "localhost,127.0.0.1". A scraper reaches the
// pod by IP or Service name, so every role that serves metrics allows any Host.
func TestMetricsAnswerScrapersOnEveryRole(t *testing.T) {
	network := reference(t)
	roles := map[string]bool{}
	for _, name := range network.NodeNames() {
		node := network.Nodes[name]
		opts := options(t, Args(network, node))
		if opts["--metrics-enabled"] != "true" {
			continue
		}
		roles[node.Role] = true
		if opts["--host-allowlist"] != "*" {
			t.Errorf("%s (%s): --host-allowlist=%q: the metrics server would answer 403", name, node.Role, opts["--host-allowlist"])
		}
	}
	for _, role := range []string{model.RoleValidator, model.RoleMember, model.RoleRPC} {
		if !roles[role] {
			t.Errorf("no %s node serves metrics in the reference network", role)
		}
	}
}
