package flux_test

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// TestVerifiedRepositoryOnPlainFlux: with repository.verify, each plain-Flux cluster's
// GitRepository verifies the head commit against the keys of the ledger-signing-keys
// Secret — source-controller api/v1 GitRepositorySpec.Verification, json "verify":
// {mode: HEAD, secretRef: {name}}, PGP keys under *.asc entries — and nothing renders
// it without. Arc clusters render no GitRepository: their fluxConfiguration has no
// verification field (ARM GitRepositoryDefinition, see armGitRepository in arc_test.go).
func TestVerifiedRepositoryOnPlainFlux(t *testing.T) {
	for _, verify := range []bool{false, true} {
		network := referenceNetwork(t)
		network.Repository.Verify = verify
		for _, name := range network.ClusterNames() {
			files, err := flux.Cluster(network, peering.Of(network), network.Clusters[name], nil)
			if err != nil {
				t.Fatal(err)
			}
			var repos []*unstructured.Unstructured
			for _, obj := range testenv.DecodeObjects(t, files["sync.yaml"]) {
				if obj.GetKind() == "GitRepository" {
					repos = append(repos, obj)
				}
			}
			if network.Clusters[name].GitOps.Mode == model.ModeArc {
				if len(repos) != 0 {
					t.Errorf("%s (Arc) renders a GitRepository", name)
				}
				continue
			}
			if len(repos) != 1 {
				t.Fatalf("%s: %d GitRepositories", name, len(repos))
			}
			v, found, _ := unstructured.NestedFieldNoCopy(repos[0].Object, "spec", "verify")
			mode, _, _ := unstructured.NestedString(repos[0].Object, "spec", "verify", "mode")
			secret, _, _ := unstructured.NestedString(repos[0].Object, "spec", "verify", "secretRef", "name")
			switch {
			case !verify && found:
				t.Errorf("%s verifies without repository.verify: %v", name, v)
			case verify && (mode != "HEAD" || secret != flux.SigningKeysSecret):
				t.Errorf("%s: spec.verify = %v", name, v)
			}
		}
	}
}
