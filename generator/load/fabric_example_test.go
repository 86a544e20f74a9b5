package load_test

import (
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// The Fabric reference network loads with the defaults the schema promises: every
// party a member, every orderer a consenter, Fabric's ports and MSP IDs.
func TestFabricReferenceNetworkLoads(t *testing.T) {
	result, err := load.Network(testenv.Module(t, map[string]string{"network.cue": testenv.FabricExample(t)}))
	if err != nil {
		t.Fatal(err)
	}
	n := result.Network
	if !n.IsFabric() || n.Fabric == nil || n.Consensus.Algorithm != model.EtcdRaft {
		t.Fatalf("platform %q, consensus %q, fabric %v", n.Platform, n.Consensus.Algorithm, n.Fabric)
	}
	trade := n.Fabric.Channels["trade"]
	if got := len(trade.Members); got != 3 {
		t.Errorf("trade members = %v, want the 3 parties", trade.Members)
	}
	if got := len(trade.Consenters); got != 3 {
		t.Errorf("trade consenters = %v, want the 3 orderers", trade.Consenters)
	}
	if got := n.Parties["contoso"].MSPID; got != "ContosoMSP" {
		t.Errorf("contoso mspId = %q, want ContosoMSP", got)
	}
	if got := n.Nodes["contoso-orderer-1"].Ports; got.P2P != 7050 || got.RPC != 7053 {
		t.Errorf("orderer ports = %+v", got)
	}
	if got := n.Nodes["contoso-peer-1"].Ports; got.P2P != 7051 || got.RPC != 7052 {
		t.Errorf("peer ports = %+v", got)
	}
	if cc := trade.Chaincodes["asset-transfer"]; cc.Label != "asset-transfer_1.0.0" || cc.Committer != "contoso" || cc.Port != 9999 {
		t.Errorf("chaincode = %+v", cc)
	}
	if n.Consensus.BatchTimeout != "2s" || n.Consensus.MaxMessageCount != 500 {
		t.Errorf("consensus = %+v", n.Consensus)
	}
}
