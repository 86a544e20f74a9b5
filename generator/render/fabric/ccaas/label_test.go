package ccaas_test

import (
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/ccaas"
)

// The cases of Fabric v2.5.16 core/chaincode/persistence/label_test.go TestLabels, for
// LabelRegexp ^[[:alnum:]][[:alnum:]_.+-]*$ (chaincode_package.go), plus a few about
// non-ASCII letters and a newline, which [[:alnum:]] (ASCII in Go's RE2) refuses.
func TestLabelRule(t *testing.T) {
	cases := map[string]bool{
		"": false, ".": false, "0": true, ":": false, "_": false, "a": true,
		"a#": false, "a$": false, "a%": false, "a++b": true, "a+b": true, "a+bb": true,
		"a-": true, "a--b": true, "a-b": true, "a-bb": true, "a.b": true, "a::b": false,
		"a:b": false, "a__b": true, "a_b": true, "a a": false, "a_bb": true, "aa": true,
		"v1.0.0": true,
		// not in Fabric's table
		"é": false, "aé": false, "a\n": false, "-a": false, "basic_1.0": true,
	}
	for label, ok := range cases {
		err := ccaas.ValidateLabel(label)
		if ok && err != nil {
			t.Errorf("label %q refused: %v", label, err)
		}
		if !ok && err == nil {
			t.Errorf("label %q accepted; Fabric refuses it", label)
		}
	}
}

// A label Fabric refuses fails Build with the label in the message, before any bytes
// are made: the peer would refuse the package at install (ParseChaincodePackage calls
// ValidateLabel), and `peer lifecycle chaincode package` refuses it too
// (internal/peer/lifecycle/chaincode/package.go Validate).
func TestBuildRefusesBadLabel(t *testing.T) {
	s := plainSpec()
	s.Label = "basic:1.0"
	_, err := ccaas.Build(s)
	if err == nil || !strings.Contains(err.Error(), `"basic:1.0"`) {
		t.Fatalf("error %v, want one naming the label", err)
	}
}
