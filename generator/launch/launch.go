// Package launch freezes a network's genesis when its chain starts, and records what
// the chain holds since. What is frozen and recorded is the ledger's
// (render/platform.Launcher and its capabilities): on Besu, block 0 byte for byte in
// cue/genesis.cue and the validators the chain starts with in cue/validators.cue; on
// Fabric, each channel's genesis config block, then what each channel's config holds
// and the parties' signatures of its pending update. launch loads the model, asks the
// network's ledger and writes the records, each only when its bytes change.
package launch

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
	"github.com/flux-ledger/flux-ledger/generator/rollout"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// The records launch writes, relative to the repository.
const (
	GenesisRecord    = platform.GenesisRecord
	ValidatorsRecord = platform.ValidatorsRecord
)

// LockTimeout is how long launch waits for another writer to finish.
const LockTimeout = 30 * time.Second

// Result says what launch recorded.
type Result struct {
	Written    []string
	Validators []string // node names, ascending
	Channels   []string // Fabric: the channels whose genesis blocks were frozen
}

// Options change what launch accepts.
type Options struct {
	// AllowPlaceholders launches a network that still holds placeholder values (the
	// reserved names and documentation addresses of load.Result.Placeholders): an
	// example network, which has nothing real to put there.
	AllowPlaceholders bool
}

// Launch records the genesis of the network in repo, placeholders or not: the form
// for networks built on purpose with example values (tests, the example networks).
// flux-ledger launch is LaunchWith, which refuses them.
func Launch(repo string) (*Result, error) {
	return LaunchWith(repo, Options{AllowPlaceholders: true})
}

// LaunchWith records the genesis of the network in repo. It refuses a network
// already frozen, a validator without identity, and a repository whose rendered
// genesis (what the nodes were given) differs from the one it would record; and,
// unless opts allow them, a network that still holds placeholders: once launched,
// block 0 is frozen with the clusters' endpoints and the repository every node
// follows, and a placeholder there is a network nobody can reach.
func LaunchWith(repo string, opts Options) (*Result, error) {
	loaded, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		return nil, err
	}
	if len(loaded.Placeholders) > 0 && !opts.AllowPlaceholders {
		return nil, placeholdersError(loaded.Placeholders)
	}
	network := loaded.Network
	ledger, err := render.PlatformOf(network)
	if err != nil {
		return nil, err
	}
	launched, err := ledger.Launch(network, func(rel string) ([]byte, error) { return tree.ReadInput(repo, rel) })
	if err != nil {
		return nil, err
	}
	result := &Result{Validators: launched.Validators, Channels: launched.Channels}
	for _, r := range launched.Records {
		written, err := write(repo, r)
		if err != nil {
			return nil, err
		}
		result.Written = append(result.Written, written...)
	}
	return result, nil
}

// write writes one record, when its bytes differ from the file's.
func write(repo string, r platform.Record) ([]string, error) {
	return tree.WriteChanged(repo, tree.Tree{r.Path: r.Data}, LockTimeout)
}

// placeholdersError is launch's refusal of placeholders: one line, naming every field
// that holds one; vet prints each with what to write there.
func placeholdersError(placeholders []load.Issue) error {
	paths := make([]string, len(placeholders))
	for i, p := range placeholders {
		paths[i] = p.Path
	}
	return fmt.Errorf("launch refused, nothing written: %d placeholder values remain (%s); replace each with the real value (flux-ledger vet says what belongs there), or pass --allow-placeholders to launch an example network",
		len(paths), strings.Join(paths, ", "))
}

// RecordValidators rewrites cue/validators.cue with the desired validators: a pull
// request that says the pending change is now on chain. With a height, it also records
// the chain's block height (read off flux-ledger status), which a new transition's
// block must leave time after; the height alone may be recorded with no change
// pending, but never lowered. It records nothing for a network not launched; plan asks
// every party to approve the new record only once flux-ledger status shows the chain
// has it.
func RecordValidators(repo string, height uint64) (*Result, error) {
	loaded, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		return nil, err
	}
	network := loaded.Network
	ledger, err := render.PlatformOf(network)
	if err != nil {
		return nil, err
	}
	validators, ok := ledger.(platform.Validators)
	if !ok {
		return nil, fmt.Errorf("network %s runs %s: validators on chain are %s's", network.Name, network.Platform, render.Offering[platform.Validators]())
	}
	record, names, err := validators.RecordValidators(network, height)
	if err != nil {
		return nil, err
	}
	written, err := write(repo, record)
	if err != nil {
		return nil, err
	}
	return &Result{Written: written, Validators: names}, nil
}

// RolloutRecord holds governance.restartHeld: the restarts of a transition still
// held for later waves.
const RolloutRecord = "cue/rollout.cue"

// RecordRollout stages the next wave of the restarts head's transitions need, against
// base (the network as merged): it rewrites cue/rollout.cue so that this pull request
// restarts the next wave and holds the rest. Run it once per pull request, each after
// flux-ledger status shows the previous wave's validators back.
func RecordRollout(repo string, base *model.Network) (*rollout.Wave, []string, error) {
	loaded, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		return nil, nil, err
	}
	wave, err := rollout.Stage(base, loaded.Network)
	if err != nil {
		return nil, nil, err
	}
	held := make([]any, 0, 2*len(wave.Held))
	for _, name := range slices.Sorted(maps.Keys(wave.Held)) {
		held = append(held, ast.NewString(name), ast.NewLit(token.INT, strconv.Itoa(wave.Held[name])))
	}
	data, err := platform.CUEFile([]string{
		"// The restarts of network " + loaded.Network.Name + "'s validator transitions still held for a",
		"// later wave (governance.restartHeld): node → transitions its running process has.",
		"// Written by `flux-ledger rollout`; run it again for the next wave once",
		"// `flux-ledger status` shows this wave's validators back.",
	}, &ast.Field{Label: ast.NewIdent("network"), Value: ast.NewStruct(
		ast.NewIdent("governance"), ast.NewStruct(ast.NewIdent("restartHeld"), ast.NewStruct(held...)),
	)})
	if err != nil {
		return nil, nil, err
	}
	written, err := tree.WriteChanged(repo, tree.Tree{RolloutRecord: data}, LockTimeout)
	if err != nil {
		return nil, nil, err
	}
	return wave, written, nil
}
