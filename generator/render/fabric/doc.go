// Package fabric renders what one party runs of a Hyperledger Fabric network: the
// network-wide ConfigMaps every party carries byte for byte (each channel's genesis
// block, every organisation's TLS root), the party's public MSP ConfigMap, and per
// node its certificates, StatefulSet (orderer, or peer with a CouchDB sidecar),
// Service, NetworkPolicy and L4 exposure, in the kustomize layout Besu uses
// (shared/, nodes/<node>/, secrets/, clusters/<cluster>/).
//
// It owns the long-running workloads and the genesis block's content. The channel and
// chaincode Jobs belong to package lifecycle, placed in each cluster's jobs/; the object names both
// refer to are in package layout; the block's encoding is package configtx's. Keys are
// never rendered: each node mounts its sealed Secret (identity.SecretName). Rendering
// is pure: model in, files out, no disk.
package fabric
