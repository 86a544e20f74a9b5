package besu

import (
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
)

// Platform is Besu behind the platform seam: render.Platforms["besu"].
type Platform struct{}

var (
	_ platform.Platform   = Platform{}
	_ platform.Genesis    = Platform{}
	_ platform.Validators = Platform{}
	_ platform.Restarts   = Platform{}
)

// Name is Besu as people write it.
func (Platform) Name() string { return "Besu" }

// Parties is Renderer.
func (Platform) Parties(network *model.Network, topology *peering.Graph) (platform.PartyRenderer, error) {
	return Renderer(network, topology)
}

// Shared renders nothing: every file a Besu network needs is in a party's directory.
func (Platform) Shared(*model.Network) (map[string][]byte, error) { return nil, nil }

// SharedDirs is empty: Besu writes nowhere outside the parties' directories.
func (Platform) SharedDirs() []string { return nil }

// GenesisPath is the genesis ConfigMap every party carries, in its directory.
const GenesisPath = "shared/genesis.yaml"

// GenesisFile is GenesisPath.
func (Platform) GenesisFile() string { return GenesisPath }

// BlockZero is BlockZero.
func (Platform) BlockZero(file []byte) (string, error) { return BlockZero(file) }

// VoteMethod is VoteMethod.
func (Platform) VoteMethod(algorithm string) string { return VoteMethod(algorithm) }

// VotesNeeded is VotesNeeded.
func (Platform) VotesNeeded(onChain int) int { return VotesNeeded(onChain) }

// RestartedNodes is RestartedNodes.
func (Platform) RestartedNodes(before, after *model.Network) ([]string, error) {
	return RestartedNodes(before, after)
}

// FaultTolerance is FaultTolerance.
func (Platform) FaultTolerance(validators int) int { return FaultTolerance(validators) }
