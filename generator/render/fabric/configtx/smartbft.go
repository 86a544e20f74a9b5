package configtx

import (
	"fmt"
	"time"
)

// SmartBFT is Byzantine fault tolerant consensus (Fabric 3.x), as Fabric v3.1.5's
// configtxgen encodes it (internal/configtxgen/encoder/encoder.go NewOrdererGroup, case
// ConsensusTypeBFT). It needs the V3_0 channel capability, and tolerates
// f = (n-1)/3 faulty consenters: four are the least that tolerate one.
type SmartBFT struct {
	Consenters []BFTConsenter
	Options    BFTOptions
}

// BFTConsenter is one BFT orderer: its numeric ID, where the others dial it, its org,
// the signing certificate (PEM) it signs blocks with, and its TLS certificates (PEM).
type BFTConsenter struct {
	ID            uint32
	Host          string
	Port          uint32
	MSPID         string
	Identity      []byte
	ClientTLSCert []byte
	ServerTLSCert []byte
}

// BFTOptions are SmartBFT's options (fabric-protos orderer/smartbft/configuration.proto
// Options); durations are written as Go duration strings.
type BFTOptions struct {
	RequestBatchMaxCount      uint64
	RequestBatchMaxBytes      uint64
	RequestBatchMaxInterval   time.Duration
	IncomingMessageBufferSize uint64
	RequestPoolSize           uint64
	RequestForwardTimeout     time.Duration
	RequestComplainTimeout    time.Duration
	RequestAutoRemoveTimeout  time.Duration
	RequestMaxBytes           uint64
	ViewChangeResendInterval  time.Duration
	ViewChangeTimeout         time.Duration
	LeaderHeartbeatTimeout    time.Duration
	LeaderHeartbeatCount      uint64
	CollectTimeout            time.Duration
	SyncOnStart               bool
	SpeedUpViewChange         bool
	// LeaderRotation is Options.Rotation: 0 unspecified, 1 off, 2 on.
	LeaderRotation     int32
	DecisionsPerLeader uint64
}

// DefaultBFTOptions are the options configtxgen writes when a profile sets none
// (internal/configtxgen/genesisconfig/config.go genesisDefaults, from SmartBFT v1.0.1
// pkg/types/config.go DefaultConfig); leader rotation, decisions per leader and request
// max bytes stay unset there too.
func DefaultBFTOptions() BFTOptions {
	return BFTOptions{
		RequestBatchMaxCount:      100,
		RequestBatchMaxBytes:      10 * 1024 * 1024,
		RequestBatchMaxInterval:   50 * time.Millisecond,
		IncomingMessageBufferSize: 200,
		RequestPoolSize:           400,
		RequestForwardTimeout:     2 * time.Second,
		RequestComplainTimeout:    20 * time.Second,
		RequestAutoRemoveTimeout:  3 * time.Minute,
		ViewChangeResendInterval:  5 * time.Second,
		ViewChangeTimeout:         20 * time.Second,
		LeaderHeartbeatTimeout:    time.Minute,
		LeaderHeartbeatCount:      10,
		CollectTimeout:            time.Second,
	}
}

// Names of the BFT consensus type and the consenter mapping value (encoder.go
// ConsensusTypeBFT, common/channelconfig/channel.go OrderersKey).
const (
	bftType     = "BFT"
	orderersKey = "Orderers"
)

// msp.MSPPrincipal.Classification IDENTITY (msp/msp_principal.proto).
const classificationIdentity = 2

// configure writes the Orderers value (the consenter mapping), ConsensusType "BFT"
// with Options as metadata, and replaces BlockValidation with a signature policy over
// the consenters' identities (common/policies/bft.go EncodeBFTBlockVerificationPolicy).
func (b SmartBFT) configure(orderer *group) error {
	if len(b.Consenters) == 0 {
		return fmt.Errorf("BFT needs consenters")
	}
	ids := map[uint32]bool{}
	var mapping msg
	for i, c := range b.Consenters {
		if err := checkEndpoint(i, c.Host, c.Port, c.ClientTLSCert, c.ServerTLSCert); err != nil {
			return err
		}
		if c.ID == 0 || ids[c.ID] {
			return fmt.Errorf("consenter %s:%d: ID %d is unset or taken", c.Host, c.Port, c.ID)
		}
		ids[c.ID] = true
		if c.MSPID == "" || len(c.Identity) == 0 {
			return fmt.Errorf("consenter %s:%d: MSP ID and identity certificate are required", c.Host, c.Port)
		}
		mapping = mapping.field(1, bftConsenter(c))
	}
	orderer.values[orderersKey] = mapping
	orderer.values[consensusTypeKey] = consensusType(bftType, bftOptions(b.Options))
	orderer.policies[blockValidationPolicy] = bftBlockValidation(b.Consenters)
	return nil
}

// bftConsenter encodes common.Consenter{id = 1, host = 2, port = 3, msp_id = 4,
// identity = 5, client_tls_cert = 6, server_tls_cert = 7}, an element of
// common.Orderers{repeated consenter_mapping = 1} (fabric-protos v0.3.7, the
// fabric-protos-go-apiv2 version Fabric v3.1.5 pins, common/configuration.proto).
func bftConsenter(c BFTConsenter) []byte {
	return msg(nil).uint(1, uint64(c.ID)).string(2, c.Host).uint(3, uint64(c.Port)).string(4, c.MSPID).
		bytes(5, c.Identity).bytes(6, c.ClientTLSCert).bytes(7, c.ServerTLSCert)
}

// bftOptions encodes smartbft.Options, fields 1 to 18 in the order of
// orderer/smartbft/configuration.proto.
func bftOptions(o BFTOptions) []byte {
	d := func(v time.Duration) string {
		if v == 0 {
			return ""
		}
		return v.String()
	}
	return msg(nil).uint(1, o.RequestBatchMaxCount).uint(2, o.RequestBatchMaxBytes).string(3, d(o.RequestBatchMaxInterval)).
		uint(4, o.IncomingMessageBufferSize).uint(5, o.RequestPoolSize).string(6, d(o.RequestForwardTimeout)).
		string(7, d(o.RequestComplainTimeout)).string(8, d(o.RequestAutoRemoveTimeout)).uint(9, o.RequestMaxBytes).
		string(10, d(o.ViewChangeResendInterval)).string(11, d(o.ViewChangeTimeout)).string(12, d(o.LeaderHeartbeatTimeout)).
		uint(13, o.LeaderHeartbeatCount).string(14, d(o.CollectTimeout)).bool(15, o.SyncOnStart).bool(16, o.SpeedUpViewChange).
		int32(17, o.LeaderRotation).uint(18, o.DecisionsPerLeader)
}

// bftBlockValidation is common/policies/bft.go EncodeBFTBlockVerificationPolicy: a
// block is valid when signed by a quorum of consenters, ceil((n+f+1)/2) with
// f = (n-1)/3 (ComputeBFTQuorum), each consenter an IDENTITY principal holding
// msp.SerializedIdentity{mspid = 1, id_bytes = 2} (msp/identities.proto).
func bftBlockValidation(consenters []BFTConsenter) policy {
	n := len(consenters)
	f := (n - 1) / 3
	quorum := (n + f + 2) / 2 // ceil((n+f+1)/2) in integers
	var rules msg
	var identities [][]byte
	for i, c := range consenters {
		rules = rules.field(2, msg(nil).varint(1, uint64(i)))
		identity := msg(nil).string(1, c.MSPID).bytes(2, c.Identity)
		identities = append(identities, msg(nil).int32(1, classificationIdentity).bytes(2, identity))
	}
	return policy{typ: policyTypeSignature, value: signatureEnvelope(int32(quorum), rules, identities)}
}
