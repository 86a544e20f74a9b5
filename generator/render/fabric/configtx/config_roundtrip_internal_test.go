package configtx

import (
	"bytes"
	"testing"
	"time"
)

// The decoder reads back exactly the /Channel group the genesis encoder wrote: the
// generic tree an update starts from is the block's, element for element.
func TestDecodedGenesisGroupReencodes(t *testing.T) {
	c := Channel{
		ID:           "roundtrip",
		Capabilities: Fabric25(),
		Orderer: Orderer{
			Consensus:    stubConsensus{},
			BatchTimeout: 2 * time.Second,
			BatchSize:    BatchSize{MaxMessageCount: 10, AbsoluteMaxBytes: 1 << 20, PreferredMaxBytes: 1 << 19},
		},
		ACLs: map[string]string{"qscc/GetChainInfo": "/Channel/Application/Readers"},
	}
	root, err := channelGroup(c)
	if err != nil {
		t.Fatal(err)
	}
	want := root.marshal()
	g, err := decodeGroup(want)
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Marshal(); !bytes.Equal(got, want) {
		t.Errorf("re-encoded /Channel differs from the encoder's (%d vs %d bytes)", len(got), len(want))
	}
}

// stubConsensus writes a ConsensusType value, enough for the round trip.
type stubConsensus struct{}

func (stubConsensus) configure(g *group) error {
	g.values[consensusTypeKey] = consensusType("etcdraft", nil)
	return nil
}
