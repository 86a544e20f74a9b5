package ccaas

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Type is the metadata type the stock peer image's ccaas builder detects (Fabric
// v2.5.16 and v3.1.5 ccaas_builder/cmd/detect/main.go compares it lower-cased).
const Type = "ccaas"

// Spec is one chaincode-as-a-service package.
type Spec struct {
	// Label names the package on the peer (see ValidateLabel).
	Label string
	// Type is metadata.json's type; empty means Type. Another value serves only a
	// custom external builder that reads the same connection.json.
	Type string
	// Connection is what goes into connection.json.
	Connection Connection
}

// Package is a built package: the file to install and the ID the peer gives it.
type Package struct {
	Label string
	// ID is what `peer lifecycle chaincode install` and `queryinstalled` report, and
	// what the approve step and the chaincode server's CHAINCODE_ID name.
	ID string
	// Bytes is the .tar.gz to install.
	Bytes []byte
}

// metadataFile is metadata.json as `peer lifecycle chaincode package` writes it
// (Fabric v2.5.16 internal/peer/lifecycle/chaincode/package.go PackageMetadata: path,
// type, label, in that order). Path is empty: a ccaas package has no source path.
type metadataFile struct {
	Path  string `json:"path"`
	Type  string `json:"type"`
	Label string `json:"label"`
}

// Names of the top-level entries the peer looks for (Fabric v2.5.16
// core/chaincode/persistence/chaincode_package.go MetadataFile, CodePackageFile) and
// of the one file the ccaas build step reads from the code package
// (ccaas_builder/cmd/build/main.go).
const (
	metadataName    = "metadata.json"
	codePackageName = "code.tar.gz"
	connectionName  = "connection.json"
)

// Build makes the package for s. The same Spec always gives the same bytes.
func Build(s Spec) (Package, error) {
	if err := ValidateLabel(s.Label); err != nil {
		return Package{}, err
	}
	typ := s.Type
	if typ == "" {
		typ = Type
	}
	conn, err := connectionJSON(s.Connection)
	if err != nil {
		return Package{}, fmt.Errorf("chaincode package %s: %w", s.Label, err)
	}
	code, err := targz([]file{{connectionName, conn}})
	if err != nil {
		return Package{}, fmt.Errorf("chaincode package %s: code archive: %w", s.Label, err)
	}
	meta, err := json.Marshal(metadataFile{Type: typ, Label: s.Label})
	if err != nil {
		return Package{}, err
	}
	pkg, err := targz([]file{{metadataName, meta}, {codePackageName, code}})
	if err != nil {
		return Package{}, fmt.Errorf("chaincode package %s: %w", s.Label, err)
	}
	return Package{Label: s.Label, ID: PackageID(s.Label, pkg), Bytes: pkg}, nil
}

// PackageID is the ID a peer gives the package file pkg labelled label: the label, a
// colon and the hex SHA-256 of the whole file (Fabric v2.5.16 and v3.1.5
// core/chaincode/persistence/persistence.go PackageID, with common/util ComputeSHA256;
// `peer lifecycle chaincode calculatepackageid` prints the same).
func PackageID(label string, pkg []byte) string {
	sum := sha256.Sum256(pkg)
	return label + ":" + hex.EncodeToString(sum[:])
}
