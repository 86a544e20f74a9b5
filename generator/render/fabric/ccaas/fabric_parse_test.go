package ccaas_test

import (
	"archive/tar"
	"encoding/json"
	"strings"
	"testing"
)

// fabricMetadata mirrors Fabric v2.5.16 core/chaincode/persistence/chaincode_package.go
// ChaincodePackageMetadata.
type fabricMetadata struct {
	Type  string `json:"type"`
	Path  string `json:"path"`
	Label string `json:"label"`
}

// parseLikeFabric applies the checks of Fabric v2.5.16 (and v3.1.5)
// core/chaincode/persistence/chaincode_package.go ParseChaincodePackage, plus one
// stricter: Fabric only logs a warning for an unexpected top-level file, this package
// writes none.
func parseLikeFabric(t *testing.T, pkg []byte) (fabricMetadata, []byte) {
	t.Helper()
	var md *fabricMetadata
	var code []byte
	entries, _ := readTarGz(t, pkg)
	for _, e := range entries {
		// "tar entry %s is not a regular file"
		if e.hdr.Typeflag != tar.TypeReg {
			t.Fatalf("entry %s has type %q; Fabric accepts regular files only", e.hdr.Name, e.hdr.Typeflag)
		}
		switch e.hdr.Name {
		case "metadata.json":
			md = &fabricMetadata{}
			if err := json.Unmarshal(e.data, md); err != nil {
				t.Fatalf("metadata.json: %v", err)
			}
		case "code.tar.gz":
			code = e.data
		default:
			t.Fatalf("unexpected top-level entry %q", e.hdr.Name)
		}
	}
	// "did not find a code package inside the package"
	if code == nil {
		t.Fatal("no code.tar.gz")
	}
	// "did not find any package metadata (missing metadata.json)"
	if md == nil {
		t.Fatal("no metadata.json")
	}
	return *md, code
}

// Fabric v2.5.16 core/chaincode/persistence/chaincode_package.go ParseChaincodePackage:
// a gzip'd tar of regular files holding metadata.json and code.tar.gz, with a valid
// label; internal/peer/lifecycle/chaincode/package.go getTarGzBytes writes
// metadata.json first.
func TestFabricParsesPackage(t *testing.T) {
	p := build(t, plainSpec())
	entries, _ := readTarGz(t, p.Bytes)
	if len(entries) != 2 || entries[0].hdr.Name != "metadata.json" || entries[1].hdr.Name != "code.tar.gz" {
		t.Fatalf("entries %v, want metadata.json then code.tar.gz", names(entries))
	}
	md, code := parseLikeFabric(t, p.Bytes)
	if md.Label != "basic_1.0" || md.Path != "" {
		t.Errorf("metadata %+v", md)
	}
	// Fabric v2.5.16 core/common/ccprovider/targzmetadataprovider.go MetadataAsTarEntries
	// reads code.tar.gz as a gzip'd tar at install; the ccaas build step wants
	// connection.json at its top (ccaas_builder/cmd/build/main.go).
	inner, _ := readTarGz(t, code)
	if len(inner) != 1 || inner[0].hdr.Name != "connection.json" || inner[0].hdr.Typeflag != tar.TypeReg {
		t.Fatalf("code.tar.gz entries %v, want connection.json only", names(inner))
	}
}

// Fabric v2.5.16 and v3.1.5 ccaas_builder/cmd/detect/main.go run: detection succeeds
// when strings.ToLower(metadata.type) == "ccaas"; build checks the same.
func TestDetectSeesCCAAS(t *testing.T) {
	md, _ := parseLikeFabric(t, build(t, plainSpec()).Bytes)
	if strings.ToLower(md.Type) != "ccaas" {
		t.Fatalf("metadata type %q, the ccaas builder would not detect it", md.Type)
	}
	s := plainSpec()
	s.Type = "external-grpc"
	md, _ = parseLikeFabric(t, build(t, s).Bytes)
	if md.Type != "external-grpc" {
		t.Fatalf("metadata type %q, want the Spec's", md.Type)
	}
}

func names(es []entry) []string {
	var n []string
	for _, e := range es {
		n = append(n, e.hdr.Name)
	}
	return n
}
