package fabric

import (
	"maps"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
)

// Platform is Fabric behind the platform seam: render.Platforms["fabric"].
type Platform struct{}

var (
	_ platform.Platform = Platform{}
	_ platform.Planner  = Platform{}
	_ platform.Channels = Platform{}
)

// Name is Fabric as people write it.
func (Platform) Name() string { return "Fabric" }

// Parties is Renderer.
func (Platform) Parties(network *model.Network, _ *peering.Graph) (platform.PartyRenderer, error) {
	return Renderer(network)
}

// Shared renders each running channel's pending config update (ChannelUpdates) and
// the submission of the updates signed enough (SignedUpdates), under UpdatesDir.
func (Platform) Shared(network *model.Network) (map[string][]byte, error) {
	updates, err := ChannelUpdates(network)
	if err != nil {
		return nil, err
	}
	signed, err := SignedUpdates(network)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	maps.Copy(out, updates)
	maps.Copy(out, signed)
	return out, nil
}

// SharedDirs is UpdatesDir.
func (Platform) SharedDirs() []string { return []string{UpdatesDir} }
