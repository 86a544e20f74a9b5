package fabric

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// GenesisBlock builds the genesis config block of one channel from the model, always:
// a frozen block (Channel.GenesisBlock) is ignored. `flux-ledger launch` calls it to
// make the block it freezes; rendering uses ChannelBlock.
func GenesisBlock(network *model.Network, channel string) ([]byte, error) {
	c, err := ChannelConfig(network, channel)
	if err != nil {
		return nil, err
	}
	block, err := configtx.GenesisBlock(c)
	if err != nil {
		return nil, fmt.Errorf("channel %s: %w", channel, err)
	}
	return block, nil
}

// ChannelBlock is the genesis block every orderer and peer of the channel joins: the
// frozen bytes once launched (an orderer that joined another block than its peers
// fails on the next one), else the block GenesisBlock builds.
func ChannelBlock(network *model.Network, channel string) ([]byte, error) {
	ch, ok := network.Fabric.Channels[channel]
	if !ok {
		return nil, fmt.Errorf("no channel %q", channel)
	}
	if ch.GenesisBlock != "" {
		block, err := base64.StdEncoding.DecodeString(ch.GenesisBlock)
		if err != nil {
			return nil, fmt.Errorf("channel %s: frozen genesis block: %w", channel, err)
		}
		return block, nil
	}
	return GenesisBlock(network, channel)
}

// CompressBlock is the genesis block as the channel ConfigMap holds it
// (layout.GenesisBlockKey): gzip at the best compression, with no name and no
// time in its header, so the same block always compresses to the same bytes. The
// Jobs decompress it with the tools image's gzip (scripts/lib.sh, unpack_block).
func CompressBlock(block []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(block); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// maxBlockBytes bounds what DecompressBlock inflates: a channel ConfigMap in another
// party's directory is that party's to write, and a few kilobytes of gzip can claim
// gigabytes. A 300-organisation block is 3.2 MB.
const maxBlockBytes = 256 << 20

// DecompressBlock reads a block CompressBlock wrote.
func DecompressBlock(data []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	block, err := io.ReadAll(io.LimitReader(r, maxBlockBytes+1))
	if err != nil {
		return nil, err
	}
	if len(block) > maxBlockBytes {
		return nil, fmt.Errorf("a genesis block over %d MiB", maxBlockBytes>>20)
	}
	return block, nil
}

// ChannelConfig is what the channel's genesis block says, read from the model:
//
//	orderer orgs      the parties owning a consenter, with their consenters' endpoints
//	application orgs  the members, with their peers' endpoints as anchor peers
//	consenters        in the channel's order; BFT IDs 1..n in that order
//	batching          network.consensus; capabilities from fabric.version
func ChannelConfig(network *model.Network, channel string) (configtx.Channel, error) {
	ch, ok := network.Fabric.Channels[channel]
	if !ok {
		return configtx.Channel{}, fmt.Errorf("no channel %q", channel)
	}
	c := configtx.Channel{ID: channel}
	switch network.Fabric.Version {
	case model.Fabric25:
		c.Capabilities = configtx.Fabric25()
	case model.Fabric31:
		c.Capabilities = configtx.Fabric3()
	default:
		return c, fmt.Errorf("fabric version %q has no capabilities", network.Fabric.Version)
	}
	timeout, err := time.ParseDuration(network.Consensus.BatchTimeout)
	if err != nil {
		return c, fmt.Errorf("batch timeout: %w", err)
	}
	c.Orderer.BatchTimeout = timeout
	c.Orderer.BatchSize = configtx.BatchSize{
		MaxMessageCount:   uint32(network.Consensus.MaxMessageCount),
		AbsoluteMaxBytes:  uint32(network.Consensus.AbsoluteMaxBytes),
		PreferredMaxBytes: uint32(network.Consensus.PreferredMaxBytes),
	}

	// Orderer orgs in the order their first consenter appears.
	endpoints := map[string][]string{}
	var ordererParties []string
	var raft []configtx.Consenter
	var bft []configtx.BFTConsenter
	for i, name := range ch.Consenters {
		node, ok := network.Nodes[name]
		if !ok || node.Role != model.RoleOrderer {
			return c, fmt.Errorf("channel %s: consenter %s is not an orderer", channel, name)
		}
		id := network.Identities[name]
		if id.TLSCert == "" || id.SignCert == "" {
			return c, fmt.Errorf("channel %s: consenter %s has no certificates", channel, name)
		}
		if _, seen := endpoints[node.Party]; !seen {
			ordererParties = append(ordererParties, node.Party)
		}
		endpoints[node.Party] = append(endpoints[node.Party], fmt.Sprintf("%s:%d", node.Endpoint.Host, node.Endpoint.Port))
		tls := []byte(id.TLSCert)
		raft = append(raft, configtx.Consenter{Host: node.Endpoint.Host, Port: uint32(node.Endpoint.Port), ClientTLSCert: tls, ServerTLSCert: tls})
		bft = append(bft, configtx.BFTConsenter{
			ID: uint32(i + 1), Host: node.Endpoint.Host, Port: uint32(node.Endpoint.Port),
			MSPID: network.Parties[node.Party].MSPID, Identity: []byte(id.SignCert),
			ClientTLSCert: tls, ServerTLSCert: tls,
		})
	}
	switch network.Consensus.Algorithm {
	case model.EtcdRaft:
		c.Orderer.Consensus = configtx.EtcdRaft{Consenters: raft, Options: configtx.DefaultRaftOptions()}
	case model.SmartBFT:
		c.Orderer.Consensus = configtx.SmartBFT{Consenters: bft, Options: configtx.DefaultBFTOptions()}
	default:
		return c, fmt.Errorf("consensus %q is not Fabric's", network.Consensus.Algorithm)
	}
	for _, party := range ordererParties {
		org, err := channelOrg(network, party)
		if err != nil {
			return c, err
		}
		org.OrdererEndpoints = endpoints[party]
		c.OrdererOrgs = append(c.OrdererOrgs, org)
	}

	for _, party := range ch.Members {
		org, err := memberOrg(network, party)
		if err != nil {
			return c, err
		}
		c.ApplicationOrgs = append(c.ApplicationOrgs, org)
	}
	return c, nil
}

// memberOrg is a member's application org: its organisation, with its peers as
// anchor peers.
func memberOrg(network *model.Network, party string) (configtx.Org, error) {
	org, err := channelOrg(network, party)
	if err != nil {
		return org, err
	}
	for _, n := range network.NodesByParty()[party] {
		if n.Role == model.RolePeer {
			org.AnchorPeers = append(org.AnchorPeers, configtx.AnchorPeer{Host: n.Endpoint.Host, Port: int32(n.Endpoint.Port)})
		}
	}
	return org, nil
}

// channelOrg is a party's organisation as a channel knows it: verifying certificates
// only, with the standard NodeOUs.
func channelOrg(network *model.Network, party string) (configtx.Org, error) {
	p, ok := network.Parties[party]
	if !ok {
		return configtx.Org{}, fmt.Errorf("no party %q", party)
	}
	id, ok := network.MSP[party]
	if !ok || id.CACert == "" || id.TLSCACert == "" {
		return configtx.Org{}, fmt.Errorf("party %s has no MSP certificates (flux-ledger keys init)", party)
	}
	ca := []byte(id.CACert)
	return configtx.Org{
		MSPID:        p.MSPID,
		RootCerts:    [][]byte{ca},
		TLSRootCerts: [][]byte{[]byte(id.TLSCACert)},
		NodeOUs:      configtx.StandardNodeOUs(ca),
	}, nil
}
