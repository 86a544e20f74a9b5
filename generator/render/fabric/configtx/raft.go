package configtx

import (
	"fmt"
	"time"
)

// Consensus is the ordering service's consensus protocol: EtcdRaft (Fabric 2.5 and
// 3.x) or SmartBFT (Fabric 3.x). Each writes its own part of /Channel/Orderer.
type Consensus interface {
	// configure writes the ConsensusType value into the orderer group, with any other
	// value or policy the protocol owns.
	configure(orderer *group) error
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

// configure writes ConsensusType "etcdraft" whose metadata is etcdraft.ConfigMetadata
// (fabric-protos orderer/etcdraft/configuration.proto): consenters = 1, options = 2.
func (r EtcdRaft) configure(orderer *group) error {
	if len(r.Consenters) == 0 {
		return fmt.Errorf("etcdraft needs at least one consenter")
	}
	var md msg
	for i, c := range r.Consenters {
		if err := checkEndpoint(i, c.Host, c.Port, c.ClientTLSCert, c.ServerTLSCert); err != nil {
			return err
		}
		md = md.field(1, consenter(c))
	}
	md = md.field(2, raftOptions(r.Options))
	orderer.values[consensusTypeKey] = consensusType(etcdRaftType, md)
	return nil
}

// checkEndpoint refuses a consenter that others cannot dial or authenticate.
func checkEndpoint(i int, host string, port uint32, clientTLS, serverTLS []byte) error {
	if host == "" || port == 0 {
		return fmt.Errorf("consenter %d: host and port are required", i)
	}
	if len(clientTLS) == 0 || len(serverTLS) == 0 {
		return fmt.Errorf("consenter %s:%d: client and server TLS certificates are required", host, port)
	}
	return nil
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
