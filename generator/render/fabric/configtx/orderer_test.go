package configtx_test

import (
	"slices"
	"testing"
)

// /Channel/Orderer as encoder.go NewOrdererGroup writes it for etcdraft: ConsensusType
// "etcdraft" whose metadata is etcdraft.ConfigMetadata with every consenter's host,
// port and PEM TLS certificates (common/channelconfig/util.go MarshalEtcdRaftMetadata)
// and the options; BatchSize; BatchTimeout as a Go duration string;
// ChannelRestrictions.
func TestOrdererRaftConsenters(t *testing.T) {
	n := newNetwork(t)
	d := decodeBlock(t, encode(t, n.channel))
	var ct struct {
		Type     string
		State    int
		Etcdraft *struct {
			Consenters []struct {
				Host          string
				Port          uint32
				ClientTLSCert string `json:"clientTlsCert"`
				ServerTLSCert string `json:"serverTlsCert"`
			}
			Options *struct {
				TickInterval         string `json:"tickInterval"`
				ElectionTick         int    `json:"electionTick"`
				HeartbeatTick        int    `json:"heartbeatTick"`
				MaxInflightBlocks    int    `json:"maxInflightBlocks"`
				SnapshotIntervalSize int    `json:"snapshotIntervalSize"`
			}
		}
	}
	d.root().Groups["Orderer"].value(t, "ConsensusType", &ct)
	if ct.Type != "etcdraft" || ct.State != 0 || ct.Etcdraft == nil {
		t.Fatalf("consensus type %q state %d", ct.Type, ct.State)
	}
	var got []string
	for _, c := range ct.Etcdraft.Consenters {
		hp := hostPort(c.Host, c.Port)
		got = append(got, hp)
		want := string(n.consenterTLS[hp])
		if c.ClientTLSCert != want || c.ServerTLSCert != want {
			t.Errorf("consenter %s: TLS certificates differ from the orderer's", hp)
		}
	}
	if want := []string{"orderer0.alpha.example:7050", "orderer1.alpha.example:7051", "orderer0.beta.example:7050"}; !slices.Equal(got, want) {
		t.Errorf("consenters %v; want %v", got, want)
	}
	o := ct.Etcdraft.Options
	// sampleconfig/configtx.yaml Orderer.EtcdRaft.Options.
	if o == nil || o.TickInterval != "500ms" || o.ElectionTick != 10 || o.HeartbeatTick != 1 || o.MaxInflightBlocks != 5 || o.SnapshotIntervalSize != 16*1024*1024 {
		t.Errorf("raft options %+v", o)
	}
}

func TestOrdererBatchSettings(t *testing.T) {
	d := decodeBlock(t, encode(t, newNetwork(t).channel))
	orderer := d.root().Groups["Orderer"]
	var size struct{ MaxMessageCount, AbsoluteMaxBytes, PreferredMaxBytes uint32 }
	orderer.value(t, "BatchSize", &size)
	if size.MaxMessageCount != 10 || size.AbsoluteMaxBytes != 99*1024*1024 || size.PreferredMaxBytes != 512*1024 {
		t.Errorf("batch size %+v", size)
	}
	var timeout struct{ Timeout string }
	orderer.value(t, "BatchTimeout", &timeout)
	if timeout.Timeout != "2s" {
		t.Errorf("batch timeout %q; want 2s", timeout.Timeout)
	}
	// configtxgen always writes ChannelRestrictions; max_count 0 means no limit.
	var restrictions struct{ MaxCount int }
	orderer.value(t, "ChannelRestrictions", &restrictions)
	if restrictions.MaxCount != 0 {
		t.Errorf("channel restrictions %+v", restrictions)
	}
}

// V2_0 at every level for Fabric 2.5 (fabric-samples test-network/configtx/configtx.yaml).
func TestCapabilities(t *testing.T) {
	d := decodeBlock(t, encode(t, newNetwork(t).channel))
	root := d.root()
	for path, g := range map[string]configGroup{"/Channel": root, "/Channel/Orderer": root.Groups["Orderer"], "/Channel/Application": root.Groups["Application"]} {
		var c struct{ Capabilities []string }
		g.value(t, "Capabilities", &c)
		if !slices.Equal(c.Capabilities, []string{"V2_0"}) {
			t.Errorf("%s capabilities %v; want [V2_0]", path, c.Capabilities)
		}
	}
}

// /Channel holds the two values every channel has (common/channelconfig/util.go
// HashingAlgorithmValue SHA256, BlockDataHashingStructureValue math.MaxUint32), and
// OrdererAddresses only when set — modified by the orderer admins alone
// (encoder.go NewChannelGroup).
func TestChannelValues(t *testing.T) {
	n := newNetwork(t)
	d := decodeBlock(t, encode(t, n.channel))
	root := d.root()
	var alg struct{ Name string }
	root.value(t, "HashingAlgorithm", &alg)
	var width struct{ Width uint32 }
	root.value(t, "BlockDataHashingStructure", &width)
	if alg.Name != "SHA256" || width.Width != 4294967295 {
		t.Errorf("hashing algorithm %q, block data hashing width %d", alg.Name, width.Width)
	}
	if _, ok := root.Values["OrdererAddresses"]; ok {
		t.Error("OrdererAddresses written though none was given")
	}
	if _, ok := root.Values["Consortium"]; ok {
		t.Error("an application channel without a system channel has no Consortium")
	}

	n.channel.Orderer.Addresses = []string{"orderer0.alpha.example:7050"}
	root = decodeBlock(t, encode(t, n.channel)).root()
	var addrs struct{ Addresses []string }
	v := root.value(t, "OrdererAddresses", &addrs)
	if !slices.Equal(addrs.Addresses, n.channel.Orderer.Addresses) || v.ModPolicy != "/Channel/Orderer/Admins" {
		t.Errorf("OrdererAddresses %v with mod_policy %q", addrs.Addresses, v.ModPolicy)
	}
}

// ACLs are optional (encoder.go NewApplicationGroup writes them only when given).
func TestApplicationACLs(t *testing.T) {
	n := newNetwork(t)
	if _, ok := decodeBlock(t, encode(t, n.channel)).root().Groups["Application"].Values["ACLs"]; ok {
		t.Error("ACLs written though none was given")
	}
	n.channel.ACLs = map[string]string{"qscc/GetChainInfo": "/Channel/Application/Readers", "peer/Propose": "/Channel/Application/Writers"}
	var acls struct{ ACLs map[string]string }
	decodeBlock(t, encode(t, n.channel)).root().Groups["Application"].value(t, "ACLs", &acls)
	if len(acls.ACLs) != 2 || acls.ACLs["qscc/GetChainInfo"] != "/Channel/Application/Readers" || acls.ACLs["peer/Propose"] != "/Channel/Application/Writers" {
		t.Errorf("ACLs %v", acls.ACLs)
	}
}
