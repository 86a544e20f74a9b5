package load_test

import (
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// A node pasted into a second file of the package: CUE unifies the two, so an
// identical copy passes cue vet and the node the user meant to add never exists, and
// a differing one fails at one line only. Both lines are named.
func TestNodeWrittenInTwoFiles(t *testing.T) {
	for _, tt := range []struct{ name, role string }{{"identical", "rpc"}, {"different", "member"}} {
		t.Run(tt.name, func(t *testing.T) {
			dir := testenv.Module(t, map[string]string{
				"network.cue": readBase(t),
				"nodes.cue":   "package network\n\nnetwork: nodes: \"alpha-rpc\": {role: \"" + tt.role + "\", cluster: \"alpha-aks\", image: \"docker.io/hyperledger/besu:24.12.2\"}\n",
			})
			_, err := load.Network(dir)
			if err == nil {
				t.Fatal("flux-ledger accepted the network")
			}
			want := "nodes.cue:3:17: node alpha-rpc is written twice, here and at "
			if got := err.Error(); strings.Count(got, "\n") != 0 || !strings.Contains(got, want) || !strings.Contains(got, "network.cue:61:3, both setting role, cluster, image") {
				t.Errorf("error = %q, want one line with %q and network.cue:61:3", got, want)
			}
		})
	}
}

// Adding fields to a node from another file is how CUE composes a struct: it stays
// allowed.
func TestNodeFieldsAddedFromAnotherFile(t *testing.T) {
	dir := testenv.Module(t, map[string]string{
		"network.cue":   readBase(t),
		"resources.cue": "package network\n\nnetwork: nodes: \"alpha-rpc\": {resources: limits: memory: \"8Gi\"}\n",
	})
	result, err := load.Network(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := result.Network.Nodes["alpha-rpc"].Resources.Limits.Memory; got != "8Gi" {
		t.Errorf("alpha-rpc memory limit = %q, want 8Gi", got)
	}
}
