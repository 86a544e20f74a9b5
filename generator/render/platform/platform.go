// Package platform is the seam between the steps every network goes through
// (generate, launch, plan) and the ledger it runs. A platform package (render/besu,
// render/fabric) implements Platform and whichever of the small interfaces below its
// ledger has; render.Platforms registers it in one line under the model's
// network.platform, and the orchestration asks that table, never a platform package,
// so that a third ledger adds a package, not branches.
//
// The package sits below both sides: it imports the model (and CUE's printer for the
// records) only, so a platform package returns its types without importing render.
package platform

import (
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
)

// PartyRenderer renders one party's directory: paths relative to parties/<party>/.
type PartyRenderer func(party model.Party, nodes []model.Node) (map[string][]byte, error)

// Platform is what every ledger supplies: its name for people and what it renders.
type Platform interface {
	// Name is the ledger as people write it ("Besu"), for messages.
	Name() string
	Renderer
	Launcher
}

// Renderer renders a ledger's files.
type Renderer interface {
	// Parties prepares, once, what every party's directory shares (a genesis, peer
	// lists) and returns the renderer of one party. topology is who dials whom
	// (peering.Of(network)), computed once for every stage that reads it.
	Parties(network *model.Network, topology *peering.Graph) (PartyRenderer, error)
	// Shared renders the files that belong to no party, paths relative to the
	// repository root, all inside SharedDirs.
	Shared(network *model.Network) (map[string][]byte, error)
	// SharedDirs are the top-level directories Shared writes into: the generator owns
	// them (and prunes them) whatever the network's platform.
	SharedDirs() []string
}

// Genesis is a ledger whose block 0 every party's directory carries (Besu's genesis
// file): once the network is launched, generate and plan refuse a change to it.
type Genesis interface {
	// GenesisFile is the file of parties/<party>/ that carries block 0.
	GenesisFile() string
	// BlockZero is what of that file's bytes hashes into block 0: two files with the
	// same BlockZero start the same chain (the rest is config the nodes may change).
	BlockZero(file []byte) (string, error)
}

// Launcher freezes what a ledger's chain starts from as CUE records under cue/.
type Launcher interface {
	// Launch returns the records that launch the network. read returns a file of the
	// repository as generated (an error os.IsNotExist when it is not), so that what is
	// frozen is what the nodes were given.
	Launch(network *model.Network, read func(rel string) ([]byte, error)) (*Launch, error)
	// LaunchMeaning says, for a reviewer, what merging a launch commits every party
	// to: it reads like a routine edit and can never be taken back.
	LaunchMeaning(network *model.Network) string
}

// Launch is what launch records.
type Launch struct {
	// Records are written in this order: the last one launches the network, so that
	// an interrupted launch leaves it unlaunched.
	Records    []Record
	Validators []string // node names, ascending (Besu)
	Channels   []string // the channels whose genesis blocks are frozen now (Fabric)
}

// Record is one file the generator writes under cue/: a record of what the chain
// holds, which the model then reads back.
type Record struct {
	Path string
	Data []byte
}

// Validators is a ledger with a set of validators on chain (Besu), which changes by
// their vote, and which the repository records as the chain has it.
type Validators interface {
	// VoteMethod is the JSON-RPC method a validator proposes a vote with.
	VoteMethod(algorithm string) string
	// VotesNeeded is how many of the validators on chain pass a vote.
	VotesNeeded(onChain int) int
	// RecordValidators returns the record of the validators the chain has now (the
	// desired ones) and, above 0, its block height; and those validators' names.
	RecordValidators(network *model.Network, height uint64) (Record, []string, error)
}

// Planner is a ledger with a section of its own in flux-ledger plan.
type Planner interface {
	// Plan is that section for base → head. It is asked once for each of base's and
	// head's platforms that is a Planner.
	Plan(base, head *model.Network) Section
}

// Section is a ledger's part of a plan.
type Section struct {
	Consequences []string
	// Refused lists why the change must not be merged as it is.
	Refused        []string
	ChannelUpdates []ChannelUpdate
}

// Channels is a ledger whose channels run on a config that changes by config updates
// the members' admins sign (Fabric): what the running channels hold and the parties'
// signatures are records under cue/.
type Channels interface {
	// RecordChannel returns the channels record with channel's entry set to what its
	// config holds: the config block in the file from, which read returns, or, with
	// no file (""), the frozen genesis block's config.
	RecordChannel(network *model.Network, channel, from string, read func(file string) ([]byte, error)) (*model.ChannelOnChain, Record, error)
	// SignChannel signs channel's pending update as party's admin with the key
	// adminKey returns, asked only when the party's signature is needed and missing.
	SignChannel(network *model.Network, channel, party string, adminKey AdminKey) (*Signed, error)
	// PendingChannelUpdate is channel's pending update as plan lists it (nil when
	// none), and why plan refuses it, if it does.
	PendingChannelUpdate(network *model.Network, channel string) (*ChannelUpdate, []string)
}

// Restarts is a ledger whose validators each run in a pod of their own that a change
// may restart (Besu's BFT validators), so that a change restarting too many at once
// goes in waves (rollout).
type Restarts interface {
	// RestartedNodes lists, by name, the nodes in both networks whose pods a change
	// from before to after restarts.
	RestartedNodes(before, after *model.Network) ([]string, error)
	// FaultTolerance is how many of that many validators may be down at once while
	// the chain still makes progress.
	FaultTolerance(validators int) int
}
