package configtx

import "time"

// Channel is everything the genesis block of one application channel says.
type Channel struct {
	// ID is the channel name (Fabric: lower case letters, digits, '.', '-').
	ID string
	// Timestamp goes into the channel header. Zero means DefaultTimestamp: the block
	// must not depend on the clock of the run that made it.
	Timestamp time.Time
	// Capabilities required at /Channel, /Channel/Orderer and /Channel/Application.
	Capabilities Capabilities
	Orderer      Orderer
	// OrdererOrgs are the groups under /Channel/Orderer, ApplicationOrgs those under
	// /Channel/Application. A party that runs both orderers and peers is in both lists.
	OrdererOrgs     []Org
	ApplicationOrgs []Org
	// ACLs maps a resource (e.g. "qscc/GetChainInfo") to a policy path; optional.
	ACLs map[string]string
}

// DefaultTimestamp is the channel header time when Channel.Timestamp is zero: a fixed
// instant, so the block's bytes depend on its content only.
var DefaultTimestamp = time.Date(2023, time.January, 1, 0, 0, 0, 0, time.UTC)

// Capabilities names the capabilities each level of the channel requires.
type Capabilities struct {
	Channel, Orderer, Application []string
}

// Fabric25 is what a Fabric 2.5 LTS network requires: V2_0 at every level, as Fabric's
// test network does (fabric-samples test-network/configtx/configtx.yaml). Application
// V2_5 (private data purge) is a later, explicit choice.
func Fabric25() Capabilities {
	return Capabilities{Channel: []string{"V2_0"}, Orderer: []string{"V2_0"}, Application: []string{"V2_0"}}
}

// Fabric3 is what Fabric v3.1.5's sample requires (sampleconfig/configtx.yaml
// Capabilities): channel V3_0 (needed by BFT), orderer V2_0, application V2_5.
func Fabric3() Capabilities {
	return Capabilities{Channel: []string{"V3_0"}, Orderer: []string{"V2_0"}, Application: []string{"V2_5"}}
}

// Orderer is the ordering service's part of the channel: /Channel/Orderer's values.
type Orderer struct {
	Consensus    Consensus
	BatchTimeout time.Duration
	BatchSize    BatchSize
	// MaxChannels is ChannelRestrictions.max_count (0: no limit). configtxgen always
	// writes the value, so the block does too.
	MaxChannels uint64
	// Addresses is the channel-wide OrdererAddresses value, deprecated by each orderer
	// org's Endpoints; written only when set.
	Addresses []string
}

// BatchSize bounds the blocks the orderers cut.
type BatchSize struct {
	MaxMessageCount   uint32
	AbsoluteMaxBytes  uint32
	PreferredMaxBytes uint32
}

// Org is one organization: its MSP as the channel knows it (verifying material only,
// no keys), and where its orderers or anchor peers are reached.
type Org struct {
	// Name is the org's group key in the config tree; defaults to MSPID.
	Name  string
	MSPID string
	// RootCerts, IntermediateCerts and TLSRootCerts are PEM certificates.
	RootCerts         [][]byte
	IntermediateCerts [][]byte
	TLSRootCerts      [][]byte
	NodeOUs           *NodeOUs
	// OrdererEndpoints ("host:port") are written for orderer orgs only.
	OrdererEndpoints []string
	// AnchorPeers are written for application orgs only.
	AnchorPeers []AnchorPeer
}

// groupName is the org's key under /Channel/Orderer or /Channel/Application.
func (o Org) groupName() string {
	if o.Name != "" {
		return o.Name
	}
	return o.MSPID
}

// NodeOUs maps Fabric's four node roles to organizational units, each certified by a CA
// certificate (PEM). Every identity of the org carries exactly one of them.
type NodeOUs struct {
	Client, Peer, Admin, Orderer OUIdentifier
}

// OUIdentifier is one organizational unit and the CA certificate that issues it.
type OUIdentifier struct {
	Identifier  string
	Certificate []byte
}

// StandardNodeOUs is the NodeOUs configuration cryptogen and Fabric CA write: the OUs
// "client", "peer", "admin" and "orderer", all issued by the org's CA.
func StandardNodeOUs(caCert []byte) *NodeOUs {
	ou := func(id string) OUIdentifier { return OUIdentifier{Identifier: id, Certificate: caCert} }
	return &NodeOUs{Client: ou("client"), Peer: ou("peer"), Admin: ou("admin"), Orderer: ou("orderer")}
}

// AnchorPeer is a peer other orgs' peers gossip with first.
type AnchorPeer struct {
	Host string
	Port int32
}
