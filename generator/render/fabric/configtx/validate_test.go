package configtx_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// Input Fabric would refuse when a node loads the block is refused here, naming what
// is wrong: common/configtx/validator.go (channel and group names),
// common/channelconfig/orderer.go (batch size and timeout), the MSP setup
// (certificates).
func TestRefusedInput(t *testing.T) {
	n := newNetwork(t)
	cases := map[string]struct {
		change func(c *configtx.Channel)
		want   string
	}{
		"empty channel ID":      {func(c *configtx.Channel) { c.ID = "" }, "channel ID"},
		"upper-case channel ID": {func(c *configtx.Channel) { c.ID = "Ledger" }, "channel ID"},
		"long channel ID":       {func(c *configtx.Channel) { c.ID = "a" + strings.Repeat("b", 249) }, "channel ID"},
		"no consensus":          {func(c *configtx.Channel) { c.Orderer.Consensus = nil }, "no consensus"},
		"no consenters":         {func(c *configtx.Channel) { c.Orderer.Consensus = configtx.EtcdRaft{} }, "consenter"},
		"consenter without TLS": {func(c *configtx.Channel) {
			c.Orderer.Consensus = configtx.EtcdRaft{Consenters: []configtx.Consenter{{Host: "o", Port: 1}}}
		}, "TLS"},
		"zero batch size": {func(c *configtx.Channel) { c.Orderer.BatchSize.MaxMessageCount = 0 }, "batch size"},
		"preferred > absolute": {func(c *configtx.Channel) {
			c.Orderer.BatchSize.PreferredMaxBytes = c.Orderer.BatchSize.AbsoluteMaxBytes + 1
		}, "preferred"},
		"no batch timeout":   {func(c *configtx.Channel) { c.Orderer.BatchTimeout = 0 }, "batch timeout"},
		"negative timeout":   {func(c *configtx.Channel) { c.Orderer.BatchTimeout = -time.Second }, "batch timeout"},
		"no orderer org":     {func(c *configtx.Channel) { c.OrdererOrgs = nil }, "no orderer org"},
		"no application org": {func(c *configtx.Channel) { c.ApplicationOrgs = nil }, "no application org"},
		"duplicate org":      {func(c *configtx.Channel) { c.ApplicationOrgs[1].Name = "AlphaMSP" }, "twice"},
		"bad group name":     {func(c *configtx.Channel) { c.ApplicationOrgs[0].Name = "alpha org" }, "group name"},
		"dot group name":     {func(c *configtx.Channel) { c.ApplicationOrgs[0].Name = ".." }, "group name"},
		"no MSP ID":          {func(c *configtx.Channel) { c.ApplicationOrgs[0].Name, c.ApplicationOrgs[0].MSPID = "alpha", "" }, "no MSP ID"},
		"no root cert":       {func(c *configtx.Channel) { c.ApplicationOrgs[0].RootCerts = nil }, "no root certificate"},
		"not PEM":            {func(c *configtx.Channel) { c.ApplicationOrgs[0].TLSRootCerts = [][]byte{[]byte("junk")} }, "TLS root certificate is not"},
		"not a certificate": {func(c *configtx.Channel) {
			c.ApplicationOrgs[0].RootCerts = [][]byte{[]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")}
		}, "root certificate"},
		"anchor peers on an orderer org": {func(c *configtx.Channel) {
			c.OrdererOrgs[0].AnchorPeers = []configtx.AnchorPeer{{Host: "p", Port: 1}}
		}, "anchor peers belong"},
		"endpoints on an application org": {func(c *configtx.Channel) { c.ApplicationOrgs[0].OrdererEndpoints = []string{"o:1"} }, "endpoints belong"},
		"anchor peer without port": {func(c *configtx.Channel) {
			c.ApplicationOrgs[0].AnchorPeers = []configtx.AnchorPeer{{Host: "p"}}
		}, "anchor peer"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := newNetworkCopy(n.channel)
			tc.change(&c)
			_, err := configtx.GenesisBlock(c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v; want one mentioning %q", err, tc.want)
			}
		})
	}
}

// Fabric v3.1.5 configtxgen's rules for V3_0 and BFT (internal/configtxgen/encoder/
// encoder.go NewOrdererGroup, NewOrdererOrgGroup; genesisconfig/config.go for the
// consenter fields), and flux-ledger's: a consenter belongs to an orderer org.
func TestRefusedBFTInput(t *testing.T) {
	cases := map[string]struct {
		change func(c *configtx.Channel, cs []configtx.BFTConsenter)
		want   string
	}{
		"BFT without V3_0": {func(c *configtx.Channel, _ []configtx.BFTConsenter) { c.Capabilities = configtx.Fabric25() }, "V3_0"},
		"global addresses under V3_0": {func(c *configtx.Channel, _ []configtx.BFTConsenter) {
			c.Orderer.Addresses = []string{"o:1"}
		}, "channel-wide"},
		"orderer org without endpoints": {func(c *configtx.Channel, _ []configtx.BFTConsenter) {
			c.OrdererOrgs = slices.Clone(c.OrdererOrgs)
			c.OrdererOrgs[1].OrdererEndpoints = nil
		}, "endpoints"},
		"consenter of no orderer org": {func(_ *configtx.Channel, cs []configtx.BFTConsenter) { cs[0].MSPID = "AlphaMSP" }, "not an orderer org"},
		"duplicate consenter ID":      {func(_ *configtx.Channel, cs []configtx.BFTConsenter) { cs[1].ID = cs[0].ID }, "taken"},
		"unset consenter ID":          {func(_ *configtx.Channel, cs []configtx.BFTConsenter) { cs[2].ID = 0 }, "unset"},
		"consenter without identity":  {func(_ *configtx.Channel, cs []configtx.BFTConsenter) { cs[3].Identity = nil }, "identity"},
		"consenter without TLS":       {func(_ *configtx.Channel, cs []configtx.BFTConsenter) { cs[3].ServerTLSCert = nil }, "TLS"},
		"no consenters": {func(c *configtx.Channel, _ []configtx.BFTConsenter) {
			c.Orderer.Consensus = configtx.SmartBFT{}
		}, "consenters"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, consenters := bftNetwork(t)
			tc.change(&c, consenters)
			_, err := configtx.GenesisBlock(c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v; want one mentioning %q", err, tc.want)
			}
		})
	}
	// The same network is accepted as it is.
	c, _ := bftNetwork(t)
	if _, err := configtx.GenesisBlock(c); err != nil {
		t.Fatal(err)
	}
}
