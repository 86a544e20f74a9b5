package configtx_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// The same input gives the same bytes: no clock, no randomness, no map order. The
// block is committed once, so this is what makes regenerating the repository a no-op.
func TestSameInputSameBytes(t *testing.T) {
	c := newNetwork(t).channel
	// Go randomizes map iteration on every range: the ACLs, and the groups, values and
	// policies inside the encoder, are maps.
	c.ACLs = map[string]string{"a/One": "/Channel/Application/Readers", "b/Two": "/Channel/Application/Writers", "c/Three": "/Channel/Application/Admins"}
	first := encode(t, c)
	for i := 0; i < 20; i++ {
		if got := encode(t, c); !bytes.Equal(got, first) {
			t.Fatalf("encoding %d differs from the first", i+1)
		}
	}
}

// Any change of input changes the bytes (the nonce and tx id are derived from the
// content, so they change too).
func TestChangedInputChangesBytes(t *testing.T) {
	n := newNetwork(t)
	base := encode(t, n.channel)
	changes := map[string]func(c *configtx.Channel){
		"channel ID":    func(c *configtx.Channel) { c.ID = "ledger-two" },
		"timestamp":     func(c *configtx.Channel) { c.Timestamp = configtx.DefaultTimestamp.Add(time.Second) },
		"batch timeout": func(c *configtx.Channel) { c.Orderer.BatchTimeout = 3 * time.Second },
		"batch size":    func(c *configtx.Channel) { c.Orderer.BatchSize.MaxMessageCount = 11 },
		"capability":    func(c *configtx.Channel) { c.Capabilities.Application = []string{"V2_5"} },
		"anchor peer":   func(c *configtx.Channel) { c.ApplicationOrgs[0].AnchorPeers[0].Port = 7052 },
		"endpoint":      func(c *configtx.Channel) { c.OrdererOrgs[0].OrdererEndpoints = c.OrdererOrgs[0].OrdererEndpoints[:1] },
		"org name":      func(c *configtx.Channel) { c.ApplicationOrgs[2].Name = "gamma" },
		"tls root cert": func(c *configtx.Channel) { c.ApplicationOrgs[1].TLSRootCerts = [][]byte{n.parties["alpha"].tlsCA.pem} },
		"raft option": func(c *configtx.Channel) {
			c.Orderer.Consensus = raftWith(c, func(r *configtx.EtcdRaft) { r.Options.ElectionTick = 20 })
		},
		"consenter port": func(c *configtx.Channel) {
			c.Orderer.Consensus = raftWith(c, func(r *configtx.EtcdRaft) { r.Consenters[2].Port = 7060 })
		},
		"consenter order": func(c *configtx.Channel) {
			c.Orderer.Consensus = raftWith(c, func(r *configtx.EtcdRaft) { slices.Reverse(r.Consenters) })
		},
	}
	seen := map[string]string{string(base): "base"}
	for name, change := range changes {
		c := newNetworkCopy(n.channel)
		change(&c)
		got := encode(t, c)
		if other, ok := seen[string(got)]; ok {
			t.Errorf("changing the %s gives the same bytes as %s", name, other)
		}
		seen[string(got)] = name
	}
}

// newNetworkCopy copies the parts of a channel the changes above mutate in place.
func newNetworkCopy(c configtx.Channel) configtx.Channel {
	c.OrdererOrgs = slices.Clone(c.OrdererOrgs)
	c.ApplicationOrgs = slices.Clone(c.ApplicationOrgs)
	for i := range c.ApplicationOrgs {
		c.ApplicationOrgs[i].AnchorPeers = slices.Clone(c.ApplicationOrgs[i].AnchorPeers)
	}
	return c
}

func raftWith(c *configtx.Channel, change func(*configtx.EtcdRaft)) configtx.EtcdRaft {
	r := c.Orderer.Consensus.(configtx.EtcdRaft)
	r.Consenters = slices.Clone(r.Consenters)
	change(&r)
	return r
}
