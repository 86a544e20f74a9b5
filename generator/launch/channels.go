package launch

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// ChannelsRecord holds each running Fabric channel's config as last recorded
// (fabric.channels.<c>.onChain).
const ChannelsRecord = "cue/channels.cue"

// RecordChannel rewrites channel's entry in cue/channels.cue with what its config
// holds: the config of block (a config block fetched with `peer channel fetch
// config`, read from the file from), or with no file the frozen genesis block's. The
// difference between the record and the model is the channel's pending change.
func RecordChannel(repo, channel, from string) (*model.ChannelOnChain, []string, error) {
	loaded, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		return nil, nil, err
	}
	network := loaded.Network
	if !network.IsFabric() {
		return nil, nil, fmt.Errorf("network %s runs %s: channels are Fabric's", network.Name, network.Platform)
	}
	ch, ok := network.Fabric.Channels[channel]
	if !ok {
		return nil, nil, fmt.Errorf("--channel %s: no such channel in fabric.channels", channel)
	}
	if ch.GenesisBlock == "" {
		return nil, nil, fmt.Errorf("channel %s is not launched (flux-ledger launch): its config is the model's", channel)
	}
	var config *configtx.Config
	if from == "" {
		ch.OnChain = nil // the genesis block's config
		network.Fabric.Channels[channel] = ch
		_, config, _, err = fabric.OnChain(network, channel)
		if err != nil {
			return nil, nil, err
		}
	} else {
		block, err := os.ReadFile(from)
		if err != nil {
			return nil, nil, err
		}
		var id string
		id, config, err = configtx.DecodeConfigBlock(block)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", from, err)
		}
		if id != channel {
			return nil, nil, fmt.Errorf("%s: a config block of channel %q, not %q", from, id, channel)
		}
		if err := fabric.CheckConfigBlock(network, channel, block); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", from, err)
		}
		if was := ch.OnChain; was != nil && config.Sequence < was.Sequence {
			return nil, nil, fmt.Errorf("%s: config sequence %d is older than the recorded %d (%s)", from, config.Sequence, was.Sequence, ChannelsRecord)
		}
	}
	state, err := fabric.StateOf(network, channel, config)
	if err != nil {
		if from != "" {
			return nil, nil, fmt.Errorf("%s: %w", from, err)
		}
		return nil, nil, err
	}
	records := map[string]model.ChannelOnChain{channel: state}
	for _, name := range network.Fabric.ChannelNames() {
		if c := network.Fabric.Channels[name]; name != channel && c.OnChain != nil {
			records[name] = *c.OnChain
		}
	}
	data, err := channelsFile(network.Name, network.Fabric.ChannelNames(), records)
	if err != nil {
		return nil, nil, err
	}
	written, err := tree.WriteChanged(repo, tree.Tree{ChannelsRecord: data}, LockTimeout)
	if err != nil {
		return nil, nil, err
	}
	return &state, written, nil
}

// channelsFile prints cue/channels.cue.
func channelsFile(networkName string, channels []string, records map[string]model.ChannelOnChain) ([]byte, error) {
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
	return cueFile([]string{
		"// What the running channels of network " + networkName + " hold in their config",
		"// (fabric.channels.<channel>.onChain), written by `flux-ledger channels record`.",
		"// The model's difference from it is the pending change, one at a time:",
		"// flux-ledger generate renders its unsigned config update under channels/.",
	}, &ast.Field{Label: ast.NewIdent("network"), Value: ast.NewStruct(
		ast.NewIdent("fabric"), ast.NewStruct(ast.NewIdent("channels"), ast.NewStruct(fields...)),
	)})
}
