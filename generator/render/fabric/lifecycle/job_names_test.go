package lifecycle

import (
	"encoding/base64"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

func jobNames(t *testing.T, objects map[string]any) map[string]string {
	t.Helper()
	names := map[string]string{}
	for file, obj := range objects {
		if job, ok := obj.(*batchv1.Job); ok {
			names[file] = job.Name
		}
	}
	return names
}

// A Job's pod template is immutable, so a changed step must be a new Job: its name
// hashes what it does. An unchanged step keeps its name, and its finished Job stays.
func TestJobNamesStableAcrossRenders(t *testing.T) {
	first := jobNames(t, render(t, testNetwork(), "a"))
	second := jobNames(t, render(t, testNetwork(), "a"))
	if len(first) != 6 { // orderer join, 2 peer joins, install, approve, commit
		t.Fatalf("jobs %v", first)
	}
	for file, name := range first {
		if second[file] != name {
			t.Errorf("%s: %s then %s", file, name, second[file])
		}
		// The name becomes the pods' job-name label: at most 63 characters.
		if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
			t.Errorf("%s: job name %q: %v", file, name, errs)
		}
	}
}

func TestJobNamesChangeWithTheSequence(t *testing.T) {
	before := jobNames(t, render(t, testNetwork(), "a"))
	n := testNetwork()
	cc := n.Fabric.Channels["trade.eu"].Chaincodes["asset_transfer"]
	cc.Sequence = 2
	n.Fabric.Channels["trade.eu"].Chaincodes["asset_transfer"] = cc
	after := jobNames(t, render(t, n, "a"))
	for file, changes := range map[string]bool{
		"chaincode-trade.eu-asset_transfer-approve.yaml": true,
		"chaincode-trade.eu-asset_transfer-commit.yaml":  true,
		// The package, hence the install, does not depend on the sequence.
		"chaincode-trade.eu-asset_transfer-install.yaml": false,
		"join-a-peer0-trade.eu.yaml":                     false,
	} {
		if (before[file] != after[file]) != changes {
			t.Errorf("%s: %s → %s, want changed = %v", file, before[file], after[file], changes)
		}
	}
}

func TestJobNamesChangeWithTheBlock(t *testing.T) {
	before := jobNames(t, render(t, testNetwork(), "a"))
	n := testNetwork()
	ch := n.Fabric.Channels["trade.eu"]
	ch.GenesisBlock = base64.StdEncoding.EncodeToString([]byte("another genesis block"))
	n.Fabric.Channels["trade.eu"] = ch
	after := jobNames(t, render(t, n, "a"))
	for _, file := range []string{"join-a-orderer0-trade.eu.yaml", "join-a-peer0-trade.eu.yaml", "join-a-peer1-trade.eu.yaml"} {
		if before[file] == after[file] {
			t.Errorf("%s kept its name %s with another block", file, before[file])
		}
	}
	if before["chaincode-trade.eu-asset_transfer-approve.yaml"] != after["chaincode-trade.eu-asset_transfer-approve.yaml"] {
		t.Errorf("the approve Job changed with the block")
	}
}

// A changed image changes every Job's name.
func TestJobNamesChangeWithTheToolsImage(t *testing.T) {
	before := jobNames(t, render(t, testNetwork(), "b"))
	n := testNetwork()
	n.Fabric.Images.Tools = "registry.example/fabric-tools@sha256:99"
	after := jobNames(t, render(t, n, "b"))
	for file, name := range before {
		if after[file] == name {
			t.Errorf("%s kept its name %s with another image", file, name)
		}
	}
}

// Before launch no block is frozen: nothing to join and no Jobs, only the servers.
func TestNoJobsBeforeLaunch(t *testing.T) {
	n := testNetwork()
	ch := n.Fabric.Channels["trade.eu"]
	ch.GenesisBlock = ""
	n.Fabric.Channels["trade.eu"] = ch
	objects := render(t, n, "a")
	if names := jobNames(t, objects); len(names) != 0 {
		t.Errorf("jobs before launch: %v", names)
	}
	if _, ok := objects["chaincode-trade.eu-asset_transfer-server.yaml"]; !ok {
		t.Errorf("no chaincode server before launch")
	}
}

func TestDNSLabel(t *testing.T) {
	for _, parts := range [][]string{
		{"cc", "trade.eu", "asset_transfer"},
		{"cc", "trade-eu", "asset-transfer"},
		{"cc", "a-very-long-channel-name-that-goes-on.and.on", "and-a-long-chaincode-name-too"},
	} {
		name := dnsLabel(parts...)
		if errs := validation.IsDNS1035Label(name); len(errs) > 0 {
			t.Errorf("%q → %q: %v", parts, name, errs)
		}
	}
	if dnsLabel("cc", "trade.eu", "x") == dnsLabel("cc", "trade-eu", "x") {
		t.Error("two channels met in one name")
	}
	if got := dnsLabel("cc", "trade-eu", "x"); got != "cc-trade-eu-x" {
		t.Errorf("a valid name was changed: %s", got)
	}
}
