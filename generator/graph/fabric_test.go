package graph_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/graph"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// fabricReference loads the Fabric reference network, examples/fabric/network.cue.
func fabricReference(t testing.TB) *model.Network {
	t.Helper()
	result, err := load.Network(testenv.Module(t, map[string]string{"network.cue": testenv.FabricExample(t)}))
	if err != nil {
		t.Fatal(err)
	}
	return result.Network
}

// The Fabric reference network's Mermaid and DOT name every orderer, peer and channel,
// and link each channel to its consenters and to its members' peers.
func TestFabricGraphNamesOrderersPeersAndChannels(t *testing.T) {
	network := fabricReference(t)
	g := build(t, network, graph.Options{})
	if len(g.Channels) == 0 {
		t.Fatal("no channels in the picture")
	}
	mermaid, dot := string(render(t, g, "mermaid")), string(render(t, g, "dot"))
	for _, name := range network.NodeNames() {
		role := network.Nodes[name].Role
		if role != model.RoleOrderer && role != model.RolePeer {
			t.Fatalf("node %s: role %s, want orderer or peer", name, role)
		}
		if !strings.Contains(mermaid, `(["`+name+"<br/>"+role+`"])`) {
			t.Errorf("Mermaid draws no %s %s", role, name)
		}
		if !strings.Contains(dot, `[label="`+name+`\n`+role+`"`) {
			t.Errorf("DOT draws no %s %s", role, name)
		}
	}
	for _, name := range network.Fabric.ChannelNames() {
		ch := network.Fabric.Channels[name]
		if !strings.Contains(mermaid, `[("channel `+name+"<br/>") || !strings.Contains(dot, `"ch/`+name+`" [label="channel `+name+`\n`) {
			t.Errorf("channel %s is not drawn", name)
		}
		for _, n := range ch.Consenters {
			if !strings.Contains(mermaid, "ch_"+name+" ---|consenter| n_"+strings.ReplaceAll(n, "-", "_2d")+"\n") {
				t.Errorf("Mermaid: channel %s has no link to its consenter %s", name, n)
			}
			if !strings.Contains(dot, `"ch/`+name+`" -- "n/`+n+`" [label="consenter"`) {
				t.Errorf("DOT: channel %s has no link to its consenter %s", name, n)
			}
		}
		for _, n := range network.NodeNames() {
			if node := network.Nodes[n]; node.Role == model.RolePeer && slices.Contains(ch.Members, node.Party) {
				if !strings.Contains(dot, `"ch/`+name+`" -- "n/`+n+`" [label="member"`) {
					t.Errorf("DOT: channel %s has no link to member peer %s", name, n)
				}
			}
		}
	}
	for _, want := range []string{"tradechain: fabric etcdraft", "3 orderers", "3 peers", "1 channel"} {
		if !strings.Contains(mermaid, want) {
			t.Errorf("Mermaid title lacks %q", want)
		}
	}
}

// Summarised, a channel links to the role counts of the clusters running its nodes,
// and every edge ends at an element the picture declares.
func TestFabricGraphSummary(t *testing.T) {
	network := fabricReference(t)
	mermaid := string(render(t, build(t, network, graph.Options{Detail: graph.DetailSummary}), "mermaid"))
	for _, name := range network.ClusterNames() {
		if !strings.Contains(mermaid, "ch_trade ---|consenter| s_"+strings.ReplaceAll(name, "-", "_2d")+"\n") {
			t.Errorf("summary: channel trade has no link to cluster %s", name)
		}
	}
	if strings.Contains(mermaid, "n_") {
		t.Errorf("summary links a channel to a node box:\n%s", mermaid)
	}
}

// The SVG of the Fabric network draws every orderer and peer, and lists each channel.
func TestFabricSVG(t *testing.T) {
	network := fabricReference(t)
	doc := parseSVG(t, render(t, build(t, network, graph.Options{}), "svg"))
	for _, name := range network.NodeNames() {
		if !contains(doc.attrs["data-node"], name) || !contains(doc.texts, name) {
			t.Errorf("node %s is not drawn", name)
		}
	}
	for _, name := range network.Fabric.ChannelNames() {
		ch := network.Fabric.Channels[name]
		if !contains(doc.attrs["data-channel"], name) || !contains(doc.texts, "consenters: "+strings.Join(ch.Consenters, ", ")) {
			t.Errorf("channel %s is not listed with its consenters", name)
		}
	}
	for _, text := range doc.texts {
		if strings.Contains(text, "validator") {
			t.Errorf("a Fabric picture speaks of validators: %q", text)
		}
	}
}
