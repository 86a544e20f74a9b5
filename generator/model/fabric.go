package model

import (
	"maps"
	"slices"
)

// Fabric versions: the release line sets the channels' capabilities.
const (
	Fabric25 = "2.5"
	Fabric31 = "3.1"
)

// Fabric is what a Hyperledger Fabric network adds to the shared model: its release
// line, the images its Jobs and state databases run, and its channels.
type Fabric struct {
	Version  string             `json:"version"`
	Images   FabricImages       `json:"images"`
	Channels map[string]Channel `json:"channels"`
}

// FabricImages are the network-wide images besides the nodes' own.
type FabricImages struct {
	// Tools runs the Jobs: peer, osnadmin, configtxlator.
	Tools   string `json:"tools"`
	CouchDB string `json:"couchdb"`
}

// Channel is an application channel: its member parties, its consenters (orderer
// node names), its chaincodes and, once launched, its frozen genesis block.
type Channel struct {
	Name       string               `json:"name"`
	Members    []string             `json:"members"`
	Consenters []string             `json:"consenters"`
	Chaincodes map[string]Chaincode `json:"chaincodes"`
	// GenesisBlock is the frozen genesis block, base64 (empty before launch).
	GenesisBlock string `json:"genesisBlock,omitempty"`
	// OnChain is the running channel's config as last recorded (cue/channels.cue);
	// nil means the genesis block's.
	OnChain *ChannelOnChain `json:"onChain,omitempty"`
	// Signatures are the member admins' signatures of the pending config update, by
	// the config sequence the update brings the channel to, then by party. Each party
	// writes its own file (cue/signatures_<party>.cue, flux-ledger channels sign), so
	// signers working at once never touch the same file.
	Signatures map[string]map[string]ChannelSignature `json:"signatures,omitempty"`
}

// ChannelSignature is one admin's signature of a config update.
type ChannelSignature struct {
	// ConfigUpdate is "sha256:<hex>" of the encoded config update signed: a signature
	// of another update than the pending one is stale, not forged.
	ConfigUpdate string `json:"configUpdate"`
	// ConfigSignature is the encoded common.ConfigSignature, base64.
	ConfigSignature string `json:"configSignature"`
}

// ChannelOnChain is what a running channel's config holds.
type ChannelOnChain struct {
	Sequence   uint64   `json:"sequence"`
	Members    []string `json:"members"`
	Consenters []string `json:"consenters"`
	// Config is the encoded common.Config, base64.
	Config string `json:"config"`
}

// Chaincode is a chaincode run as a service (CCaaS) by every member.
type Chaincode struct {
	Name     string `json:"name"`
	Image    string `json:"image"`
	Version  string `json:"version"`
	Sequence int    `json:"sequence"`
	Label    string `json:"label"`
	// EndorsementPolicy is a signature policy; empty means the channel's default.
	EndorsementPolicy string `json:"endorsementPolicy,omitempty"`
	Committer         string `json:"committer"`
	Port              int    `json:"port"`
}

// OrgIdentity is a party's public MSP material (PEM certificates).
type OrgIdentity struct {
	CACert    string `json:"caCert"`
	TLSCACert string `json:"tlsCACert"`
	Admin     string `json:"admin"`
	AdminTLS  string `json:"adminTLS"`
}

// ChannelNames returns every channel name in ascending order.
func (f *Fabric) ChannelNames() []string { return slices.Sorted(maps.Keys(f.Channels)) }

// ChaincodeNames returns the channel's chaincode names in ascending order.
func (c Channel) ChaincodeNames() []string { return slices.Sorted(maps.Keys(c.Chaincodes)) }

// IsFabric reports whether the network runs Hyperledger Fabric.
func (n *Network) IsFabric() bool { return n.Platform == PlatformFabric }
