// Package ccaas builds a Hyperledger Fabric "chaincode as a service" package: the
// .tar.gz a peer installs with `peer lifecycle chaincode install` when the chaincode
// runs as its own server and the peer dials it through the ccaas external builder
// that ships in the stock peer image (ccaas_builder/ in Fabric's repository).
//
// It owns the package's bytes and its package ID, nothing else: callers hand it a
// label and the chaincode server's connection settings; rendering the chaincode
// Deployment, installing and approving are done elsewhere.
//
// Why the bytes must be deterministic: the peer names an installed package
// `<label>:<sha256 of the package file>` (Fabric v2.5.16
// core/chaincode/persistence/persistence.go PackageID), and that ID is rendered into
// the chaincode server's Deployment (CHAINCODE_ID) and into the approve step. A package
// whose bytes changed on every run (tar mtimes, gzip header time, JSON map order)
// would change the ID on every render, so the tree would never be at rest and an
// approval would name a package nobody installed. Here the same input gives the same
// bytes, hence the same ID; any change of input gives another ID.
//
// The layout is the one `peer lifecycle chaincode package` writes (Fabric v2.5.16
// internal/peer/lifecycle/chaincode/package.go getTarGzBytes): metadata.json, then
// code.tar.gz, both regular files at the top level; code.tar.gz holds connection.json.
package ccaas
