package configtx

import (
	"math"
	"time"
)

// Config value keys (Fabric v2.5.16 common/channelconfig: channel.go, orderer.go,
// organization.go, applicationorg.go, application.go).
const (
	hashingAlgorithmKey          = "HashingAlgorithm"
	blockDataHashingStructureKey = "BlockDataHashingStructure"
	ordererAddressesKey          = "OrdererAddresses"
	capabilitiesKey              = "Capabilities"
	consensusTypeKey             = "ConsensusType"
	batchSizeKey                 = "BatchSize"
	batchTimeoutKey              = "BatchTimeout"
	channelRestrictionsKey       = "ChannelRestrictions"
	endpointsKey                 = "Endpoints"
	mspKey                       = "MSP"
	anchorPeersKey               = "AnchorPeers"
	aclsKey                      = "ACLs"
)

// hashingAlgorithm encodes common.HashingAlgorithm{name = 1} with the only algorithm
// Fabric accepts, SHA256 (common/channelconfig/util.go HashingAlgorithmValue).
func hashingAlgorithm() []byte {
	return msg(nil).string(1, "SHA256")
}

// blockDataHashingStructure encodes common.BlockDataHashingStructure{width = 1} with
// the only valid width, math.MaxUint32 (util.go BlockDataHashingStructureValue).
func blockDataHashingStructure() []byte {
	return msg(nil).uint(1, math.MaxUint32)
}

// ordererAddresses encodes common.OrdererAddresses{repeated addresses = 1}, the message
// of both /Channel's OrdererAddresses and an orderer org's Endpoints (util.go
// OrdererAddressesValue, EndpointsValue).
func ordererAddresses(addresses []string) []byte {
	return msg(nil).strings(1, addresses)
}

// capabilities encodes common.Capabilities{map<string, Capability> capabilities = 1};
// Capability is an empty message (common/configuration.proto, util.go
// CapabilitiesValue).
func capabilities(names []string) []byte {
	entries := map[string][]byte{}
	for _, n := range names {
		entries[n] = []byte{}
	}
	return msg(nil).mapOf(1, entries)
}

// consensusType encodes orderer.ConsensusType{type = 1, metadata = 2, state = 3}
// (orderer/configuration.proto); state stays STATE_NORMAL (0).
func consensusType(typ string, metadata []byte) []byte {
	return msg(nil).string(1, typ).bytes(2, metadata)
}

// batchSize encodes orderer.BatchSize{max_message_count = 1, absolute_max_bytes = 2,
// preferred_max_bytes = 3}.
func batchSize(b BatchSize) []byte {
	return msg(nil).uint(1, uint64(b.MaxMessageCount)).uint(2, uint64(b.AbsoluteMaxBytes)).uint(3, uint64(b.PreferredMaxBytes))
}

// batchTimeout encodes orderer.BatchTimeout{timeout = 1}, a Go duration string:
// configtxgen writes conf.BatchTimeout.String() (encoder.go NewOrdererGroup).
func batchTimeout(d time.Duration) []byte {
	return msg(nil).string(1, d.String())
}

// channelRestrictions encodes orderer.ChannelRestrictions{max_count = 1}.
func channelRestrictions(maxCount uint64) []byte {
	return msg(nil).uint(1, maxCount)
}

// anchorPeers encodes peer.AnchorPeers{repeated AnchorPeer anchor_peers = 1},
// AnchorPeer{host = 1, port = 2} (peer/configuration.proto).
func anchorPeers(peers []AnchorPeer) []byte {
	var m msg
	for _, p := range peers {
		m = m.field(1, msg(nil).string(1, p.Host).int32(2, p.Port))
	}
	return m
}

// acls encodes peer.ACLs{map<string, APIResource> acls = 1}, APIResource{policy_ref = 1}
// (peer/configuration.proto, util.go ACLValues).
func acls(refs map[string]string) []byte {
	entries := map[string][]byte{}
	for resource, ref := range refs {
		entries[resource] = msg(nil).string(1, ref)
	}
	return msg(nil).mapOf(1, entries)
}
