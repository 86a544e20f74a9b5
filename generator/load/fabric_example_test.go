package load_test

import (
	"os"
	"path/filepath"
	"testing"

	fluxledger "github.com/flux-ledger/flux-ledger"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// fabricModule lays out a CUE module holding the embedded schema and the Fabric
// reference network (examples/fabric/network.cue), as `make example-fabric` does.
func fabricModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	err := fsCopy(dir, func(write func(string, []byte) error) error {
		for _, p := range []string{"cue/cue.mod/module.cue", "cue/identities/doc.cue", "cue/msp/doc.cue"} {
			data, err := fluxledger.CUEModule.ReadFile(p)
			if err != nil {
				return err
			}
			if err := write(p, data); err != nil {
				return err
			}
		}
		entries, err := fluxledger.CUEModule.ReadDir("cue/schema")
		if err != nil {
			return err
		}
		for _, e := range entries {
			data, err := fluxledger.CUEModule.ReadFile("cue/schema/" + e.Name())
			if err != nil {
				return err
			}
			if err := write("cue/schema/"+e.Name(), data); err != nil {
				return err
			}
		}
		example, err := os.ReadFile(filepath.Join("..", "..", "examples", "fabric", "network.cue"))
		if err != nil {
			return err
		}
		return write("cue/network.cue", example)
	})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "cue")
}

func fsCopy(root string, fill func(write func(string, []byte) error) error) error {
	return fill(func(rel string, data []byte) error {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, data, 0o644)
	})
}

// The Fabric reference network loads with the defaults the schema promises: every
// party a member, every orderer a consenter, Fabric's ports and MSP IDs.
func TestFabricReferenceNetworkLoads(t *testing.T) {
	result, err := load.Network(fabricModule(t))
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
