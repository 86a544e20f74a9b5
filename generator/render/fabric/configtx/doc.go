// Package configtx encodes the genesis config block of a Hyperledger Fabric application
// channel: the one block every orderer joins with `osnadmin channel join` and every peer
// with `peer channel join`, in a network without a system channel (Fabric 2.5 LTS with
// etcdraft; 3.x removed the system channel altogether).
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
// Only etcdraft is encoded today. SmartBFT (Fabric 3.x) plugs in as another Consensus:
// its ConsensusType metadata is a smartbft Options message, and the channel also needs an
// "Orderers" value (common/configuration.proto ConsenterMapping) and V3_0 capabilities.
package configtx
