package ccaas_test

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/ccaas"
)

// Fabric v2.5.16 core/chaincode/persistence/persistence.go PackageID: the label from
// metadata.json, ":", and fmt's %x of util.ComputeSHA256 over the whole package file
// (core/chaincode/lifecycle/lifecycle.go InstallChaincode saves under that ID).
func TestPackageIDIsLabelAndSHA256(t *testing.T) {
	p := build(t, plainSpec())
	md, _ := parseLikeFabric(t, p.Bytes)
	want := fmt.Sprintf("%s:%x", md.Label, sha256.Sum256(p.Bytes))
	if p.ID != want {
		t.Fatalf("ID %s, want %s", p.ID, want)
	}
	if got := ccaas.PackageID(md.Label, p.Bytes); got != want {
		t.Fatalf("PackageID %s, want %s", got, want)
	}
	if p.Label != "basic_1.0" {
		t.Fatalf("Label %q", p.Label)
	}
}

// The ID of a fixed input, written down. The bytes rest on Go's compress/flate as well
// as on this package: if a Go release (or a change here) alters them, every package
// ID changes, and a peer would see a new package to install and approve. This test
// says so before a render does.
func TestPackageIDGolden(t *testing.T) {
	const want = "basic_1.0:bb4d7aaa82e4965ecef7d3e8132ced00e500fece97484099de8665a3ee4fd896"
	if got := build(t, plainSpec()).ID; got != want {
		t.Fatalf("package ID %s, was %s: the package bytes changed, so every installed package ID would change", got, want)
	}
}
