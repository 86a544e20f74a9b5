package configtx

import (
	"fmt"
	"time"
)

// Consensus is the ordering service's consensus protocol as /Channel/Orderer's
// ConsensusType value carries it: a type name and that type's metadata message.
// EtcdRaft is the one implemented; SmartBFT (Fabric 3.x) would be a second.
type Consensus interface {
	// consensusType returns ConsensusType.type and the encoded ConsensusType.metadata.
	consensusType() (string, []byte, error)
}

// EtcdRaft is Raft consensus: the consenter set and its options.
type EtcdRaft struct {
	Consenters []Consenter
	Options    RaftOptions
}

// Consenter is one Raft orderer: where the others dial it, and the TLS certificates
// (PEM) it presents as client and as server. Fabric identifies a consenter by these
// certificates, so they must be the orderer's real TLS leaf certificates.
type Consenter struct {
	Host          string
	Port          uint32
	ClientTLSCert []byte
	ServerTLSCert []byte
}

// RaftOptions are etcdraft's tuning options.
type RaftOptions struct {
	TickInterval         time.Duration
	ElectionTick         uint32
	HeartbeatTick        uint32
	MaxInflightBlocks    uint32
	SnapshotIntervalSize uint32
}

// DefaultRaftOptions are the options of Fabric's sample configuration
// (sampleconfig/configtx.yaml, Orderer.EtcdRaft.Options).
func DefaultRaftOptions() RaftOptions {
	return RaftOptions{
		TickInterval:         500 * time.Millisecond,
		ElectionTick:         10,
		HeartbeatTick:        1,
		MaxInflightBlocks:    5,
		SnapshotIntervalSize: 16 * 1024 * 1024,
	}
}

// etcdRaftType is the ConsensusType name (internal/configtxgen/encoder/encoder.go
// ConsensusTypeEtcdRaft).
const etcdRaftType = "etcdraft"

// consensusType encodes etcdraft.ConfigMetadata (fabric-protos
// orderer/etcdraft/configuration.proto): consenters = 1, options = 2.
func (r EtcdRaft) consensusType() (string, []byte, error) {
	if len(r.Consenters) == 0 {
		return "", nil, fmt.Errorf("etcdraft needs at least one consenter")
	}
	var md msg
	for i, c := range r.Consenters {
		if c.Host == "" || c.Port == 0 {
			return "", nil, fmt.Errorf("consenter %d: host and port are required", i)
		}
		if len(c.ClientTLSCert) == 0 || len(c.ServerTLSCert) == 0 {
			return "", nil, fmt.Errorf("consenter %s:%d: client and server TLS certificates are required", c.Host, c.Port)
		}
		md = md.field(1, consenter(c))
	}
	md = md.field(2, raftOptions(r.Options))
	return etcdRaftType, md, nil
}

// consenter encodes etcdraft.Consenter: host = 1, port = 2, client_tls_cert = 3,
// server_tls_cert = 4. configtxgen stores the PEM file contents
// (common/channelconfig/util.go MarshalEtcdRaftMetadata).
func consenter(c Consenter) []byte {
	return msg(nil).string(1, c.Host).uint(2, uint64(c.Port)).bytes(3, c.ClientTLSCert).bytes(4, c.ServerTLSCert)
}

// raftOptions encodes etcdraft.Options: tick_interval = 1 (a Go duration string,
// "500ms"), election_tick = 2, heartbeat_tick = 3, max_inflight_blocks = 4,
// snapshot_interval_size = 5 (bytes).
func raftOptions(o RaftOptions) []byte {
	var tick string
	if o.TickInterval > 0 {
		tick = o.TickInterval.String()
	}
	return msg(nil).string(1, tick).uint(2, uint64(o.ElectionTick)).uint(3, uint64(o.HeartbeatTick)).
		uint(4, uint64(o.MaxInflightBlocks)).uint(5, uint64(o.SnapshotIntervalSize))
}
