package launch

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
)

// ChannelsRecord holds each running Fabric channel's config as last recorded
// (fabric.channels.<c>.onChain).
const ChannelsRecord = platform.ChannelsRecord

// RecordChannel rewrites channel's entry in cue/channels.cue with what its config
// holds: the config of block (a config block fetched with `peer channel fetch
// config`, read from the file from), or with no file the frozen genesis block's. The
// difference between the record and the model is the channel's pending change.
func RecordChannel(repo, channel, from string) (*model.ChannelOnChain, []string, error) {
	network, channels, err := channelsOf(repo)
	if err != nil {
		return nil, nil, err
	}
	state, record, err := channels.RecordChannel(network, channel, from, os.ReadFile)
	if err != nil {
		return nil, nil, err
	}
	written, err := write(repo, record)
	if err != nil {
		return nil, nil, err
	}
	return state, written, nil
}

// channelsOf loads the network in repo and its ledger's channels; an error when the
// ledger has none.
func channelsOf(repo string) (*model.Network, platform.Channels, error) {
	loaded, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		return nil, nil, err
	}
	network := loaded.Network
	ledger, err := render.PlatformOf(network)
	if err != nil {
		return nil, nil, err
	}
	channels, ok := ledger.(platform.Channels)
	if !ok {
		return nil, nil, fmt.Errorf("network %s runs %s: channels are %s's", network.Name, network.Platform, render.Offering[platform.Channels]())
	}
	return network, channels, nil
}
