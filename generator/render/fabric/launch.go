package fabric

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"
	"sigs.k8s.io/yaml"

	corev1 "k8s.io/api/core/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/layout"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
)

// Launch freezes the genesis block of every channel not yet frozen (a channel added to
// a running network is launched the same way, later): the bytes configtx encodes from
// the model now, recorded base64 in cue/genesis.cue. Fabric's own configtxgen would
// give other bytes on every run (timestamp, nonce, tx id), and an orderer that joined
// another block for the same channel than its peers fails on the next block, so the
// committed block, not the model, is what every node joins from now on.
func (Platform) Launch(network *model.Network, read func(rel string) ([]byte, error)) (*platform.Launch, error) {
	channels := network.Fabric.ChannelNames()
	blocks := map[string][]byte{}
	var frozen []string
	for _, name := range channels {
		ch := network.Fabric.Channels[name]
		if ch.GenesisBlock != "" {
			// Frozen by an earlier launch: recorded again as it is.
			block, err := base64.StdEncoding.DecodeString(ch.GenesisBlock)
			if err != nil {
				return nil, fmt.Errorf("%s: channel %s: genesisBlock: %w", platform.GenesisRecord, name, err)
			}
			blocks[name] = block
			continue
		}
		for _, party := range ch.Members {
			if _, ok := network.MSP[party]; !ok {
				return nil, fmt.Errorf("channel %s: party %s has no MSP (cue/msp/%s.cue): flux-ledger keys init --party %s", name, party, party, party)
			}
		}
		for _, node := range ch.Consenters {
			if _, ok := network.Identities[node]; !ok {
				return nil, fmt.Errorf("channel %s: consenter %s has no identity: flux-ledger keys init --party %s", name, node, network.Nodes[node].Party)
			}
		}
		block, err := GenesisBlock(network, name)
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", name, err)
		}
		if err := checkRenderedBlock(network, name, block, read); err != nil {
			return nil, err
		}
		blocks[name] = block
		frozen = append(frozen, name)
	}
	if len(frozen) == 0 {
		return nil, fmt.Errorf("%s: every channel of network %s is already launched: their genesis blocks are frozen", platform.GenesisRecord, network.Name)
	}
	var fields []any
	for _, name := range channels {
		fields = append(fields, ast.NewString(name), ast.NewStruct(
			ast.NewIdent("genesisBlock"), ast.NewString(base64.StdEncoding.EncodeToString(blocks[name])),
		))
	}
	record, err := platform.CUEFile([]string{
		"// The genesis blocks of network " + network.Name + "'s channels, frozen by `flux-ledger launch`:",
		"// every orderer and peer joins exactly these bytes. Never edit them: flux-ledger plan",
		"// refuses any change.",
	}, &ast.Field{Label: ast.NewIdent("network"), Value: ast.NewStruct(
		ast.NewIdent("launched"), ast.NewBool(true),
		ast.NewIdent("fabric"), ast.NewStruct(ast.NewIdent("channels"), ast.NewStruct(fields...)),
	)})
	if err != nil {
		return nil, err
	}
	onChain, err := launchedChannelsRecord(network, channels, blocks)
	if err != nil {
		return nil, err
	}
	// The channels' record first: alone it changes nothing, while the genesis record
	// launches the channels (as Besu's validators record comes before its genesis).
	return &platform.Launch{
		Records:  []platform.Record{{Path: platform.ChannelsRecord, Data: onChain}, {Path: platform.GenesisRecord, Data: record}},
		Channels: frozen,
	}, nil
}

// LaunchMeaning names the channels whose genesis blocks freeze for ever.
func (Platform) LaunchMeaning(head *model.Network) string {
	channels := slices.Sorted(maps.Keys(head.Fabric.Channels))
	return fmt.Sprintf("launch: the genesis block of channel %s is frozen for ever; from now on members and consenters change only by a channel config update that a majority of the channel's admins sign",
		strings.Join(channels, ", "))
}

// launchedChannelsRecord is cue/channels.cue once the channels launch: each channel's
// record as it is, or, for a channel launching now, its genesis block's config
// (sequence 0), so that from launch on the schema holds every channel to one change
// at a time.
func launchedChannelsRecord(network *model.Network, channels []string, blocks map[string][]byte) ([]byte, error) {
	records := map[string]model.ChannelOnChain{}
	for _, name := range channels {
		if ch := network.Fabric.Channels[name]; ch.OnChain != nil {
			records[name] = *ch.OnChain
			continue
		}
		_, config, err := configtx.DecodeConfigBlock(blocks[name])
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", name, err)
		}
		state, err := StateOf(network, name, config)
		if err != nil {
			return nil, err
		}
		records[name] = state
	}
	return channelsRecord(network.Name, channels, records)
}

// checkRenderedBlock compares the block launch records with every party's rendered
// one, when the tree has been generated: the Jobs may already have joined those bytes.
func checkRenderedBlock(network *model.Network, channel string, block []byte, read func(rel string) ([]byte, error)) error {
	for _, party := range network.PartyNames() {
		rel := path.Join("parties", party, "shared", layout.ChannelConfigMap(channel)+".yaml")
		data, err := read(rel)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		var cm corev1.ConfigMap
		if err := yaml.Unmarshal(data, &cm); err != nil || !sameBlock(cm.BinaryData[layout.GenesisBlockKey], block) {
			return fmt.Errorf("%s differs from channel %s's genesis block: run flux-ledger generate (and commit) before launching, so the record matches what the nodes join", rel, channel)
		}
	}
	return nil
}

// sameBlock reports whether a channel ConfigMap's entry holds block.
func sameBlock(compressed, block []byte) bool {
	got, err := DecompressBlock(compressed)
	return err == nil && bytes.Equal(got, block)
}

// channelsRecord prints cue/channels.cue.
func channelsRecord(networkName string, channels []string, records map[string]model.ChannelOnChain) ([]byte, error) {
	var fields []any
	for _, name := range channels {
		r, ok := records[name]
		if !ok {
			continue
		}
		strs := func(list []string) *ast.ListLit {
			var elts []ast.Expr
			for _, s := range list {
				elts = append(elts, ast.NewString(s))
			}
			return ast.NewList(elts...)
		}
		fields = append(fields, ast.NewString(name), ast.NewStruct(ast.NewIdent("onChain"), ast.NewStruct(
			ast.NewIdent("sequence"), ast.NewLit(token.INT, strconv.FormatUint(r.Sequence, 10)),
			ast.NewIdent("members"), strs(r.Members),
			ast.NewIdent("consenters"), strs(r.Consenters),
			ast.NewIdent("config"), ast.NewString(r.Config),
		)))
	}
	return platform.CUEFile([]string{
		"// What the running channels of network " + networkName + " hold in their config",
		"// (fabric.channels.<channel>.onChain), written by `flux-ledger channels record`.",
		"// The model's difference from it is the pending change, one at a time:",
		"// flux-ledger generate renders its unsigned config update under channels/.",
	}, &ast.Field{Label: ast.NewIdent("network"), Value: ast.NewStruct(
		ast.NewIdent("fabric"), ast.NewStruct(ast.NewIdent("channels"), ast.NewStruct(fields...)),
	)})
}
