// Package configtx encodes the genesis config block of a Hyperledger Fabric application
// channel: the one block every orderer joins with `osnadmin channel join` and every peer
// with `peer channel join`, in a network without a system channel (Fabric 2.5 LTS;
// 3.x removed the system channel altogether).
//
// It owns the block's bytes and nothing else: callers hand it plain Go values (orgs with
// their PEM certificates, consenters, batch settings) and get back the Block message.
// Certificates are made elsewhere.
//
// Why flux-ledger encodes the block itself: configtxgen writes a new timestamp, nonce and
// tx id on every run, and an orderer that joined a different block for the same channel
// than its peers fails on the next block. Fabric's Go modules are not served by the
// module proxy, so the few messages a config block needs are written here with protowire;
// field numbers are public facts of Fabric's .proto files (hyperledger/fabric-protos
// v0.2.0, the fabric-protos-go version Fabric v2.5.16's go.mod pins), cited beside each
// message. The tree's shape (groups, values, policies, mod_policy) follows Fabric
// v2.5.16's configtxgen encoder (internal/configtxgen/encoder/encoder.go).
//
// The encoding is deterministic: the same input gives the same bytes. The block is made
// once and committed, so determinism is not what keeps the network consistent (the
// committed file does); it makes regenerating the repository a no-op, so a drift check
// can tell a real change from a re-run.
//
// Once a channel runs it changes only by a config update: the package also reads a
// config block back (DecodeConfigBlock), computes the update between two configs by
// configtxlator's rules (ComputeUpdate; an org joining or leaving the Application
// group: WithApplicationOrg, WithoutApplicationOrg; a Raft or SmartBFT consenter added
// or removed, with its org's endpoints: WithConsenter, WithoutConsenter), wraps it as `peer channel
// signconfigtx` reads it (ConfigUpdate.Envelope), and says which policies it needs
// (ConfigUpdate.Requirements), each citing the Fabric source it follows.
//
// Two consensus protocols are encoded: EtcdRaft (Fabric 2.5 and 3.x) and SmartBFT
// (Fabric 3.x, with the V3_0 channel capability), each a Consensus that writes its own
// part of /Channel/Orderer; the BFT layout follows Fabric v3.1.5's configtxgen.
package configtx
