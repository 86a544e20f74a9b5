// Package launch freezes a network's genesis when its chain starts. It records block
// 0 once, byte for byte, in cue/genesis.cue, and the validators the chain starts with
// in cue/validators.cue; from then on no change to the model can alter the genesis
// block, and validators change on chain (by vote or transition), one at a time. On
// Fabric it records each channel's genesis config block the same way.
package launch

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/token"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/besu"
	"github.com/flux-ledger/flux-ledger/generator/rollout"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// The records launch writes, relative to the repository.
const (
	GenesisRecord    = "cue/genesis.cue"
	ValidatorsRecord = "cue/validators.cue"
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
	if network.IsFabric() {
		return launchFabric(repo, network)
	}
	if network.Genesis.Frozen != nil {
		return nil, fmt.Errorf("%s: network %s is already launched: its genesis is frozen", GenesisRecord, network.Name)
	}
	validators := network.DesiredValidators()
	for _, name := range network.NodeNames() {
		if node := network.Nodes[name]; node.IsValidator() && validators[name] == "" {
			return nil, fmt.Errorf("validator %s has no identity: flux-ledger keys init --party %s", name, node.Party)
		}
	}
	genesis, err := besu.Genesis(network)
	if err != nil {
		return nil, err
	}
	if err := checkRenderedGenesis(repo, network, genesis); err != nil {
		return nil, err
	}
	onChain, err := validatorsFile(network.Name, validators, 0)
	if err != nil {
		return nil, err
	}
	frozen, err := genesisFile(network.Name, string(genesis), validators)
	if err != nil {
		return nil, err
	}
	// The validators first: alone they change nothing, while the genesis record
	// launches the network, and a launched network needs both.
	result := &Result{}
	for _, files := range []tree.Tree{{ValidatorsRecord: onChain}, {GenesisRecord: frozen}} {
		written, err := tree.WriteChanged(repo, files, LockTimeout)
		if err != nil {
			return nil, err
		}
		result.Written = append(result.Written, written...)
	}
	result.Validators = slices.Sorted(maps.Keys(validators))
	return result, nil
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

// checkRenderedGenesis compares the genesis launch records with every party's
// rendered one, when the tree has been generated: the nodes run those bytes.
func checkRenderedGenesis(repo string, network *model.Network, genesis []byte) error {
	for _, party := range network.PartyNames() {
		rel := path.Join("parties", party, "shared", "genesis.yaml")
		data, err := tree.ReadInput(repo, rel)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		if rendered, err := besu.GenesisJSON(data); err != nil || rendered != string(genesis) {
			return fmt.Errorf("%s differs from the network's genesis: run flux-ledger generate (and commit) before launching, so the record matches what the nodes run", rel)
		}
	}
	return nil
}

// genesisFile prints cue/genesis.cue.
func genesisFile(networkName, genesis string, validators map[string]string) ([]byte, error) {
	frozen := ast.NewStruct(
		ast.NewIdent("json"), &ast.BasicLit{Kind: token.STRING, Value: literal.String.WithOptionalTabIndent(2).Quote(genesis)},
		ast.NewIdent("validators"), addresses(validators),
	)
	return cueFile([]string{
		"// The genesis of network " + networkName + ", frozen by `flux-ledger launch`: every node",
		"// runs exactly this block 0. Never edit it: flux-ledger plan refuses any change.",
	}, &ast.Field{Label: ast.NewIdent("network"), Value: ast.NewStruct(
		ast.NewIdent("launched"), ast.NewBool(true),
		ast.NewIdent("genesis"), ast.NewStruct(ast.NewIdent("frozen"), frozen),
	)})
}

// validatorsFile prints cue/validators.cue: the on-chain validators, and the chain's
// height when recorded (0: not recorded).
func validatorsFile(networkName string, validators map[string]string, height uint64) ([]byte, error) {
	governance := []any{ast.NewIdent("onChain"), addresses(validators)}
	if height > 0 {
		governance = append(governance, ast.NewIdent("height"), ast.NewLit(token.INT, strconv.FormatUint(height, 10)))
	}
	return cueFile([]string{
		"// The validators the chain of network " + networkName + " has now (governance.onChain).",
		"// `flux-ledger launch` wrote the genesis validators. After a validator change shows",
		"// on chain (`flux-ledger status`), record it here by pull request; at most one",
		"// change is in flight at a time.",
	}, &ast.Field{Label: ast.NewIdent("network"), Value: ast.NewStruct(
		ast.NewIdent("governance"), ast.NewStruct(governance...),
	)})
}

func addresses(validators map[string]string) *ast.StructLit {
	var fields []any
	for _, name := range slices.Sorted(maps.Keys(validators)) {
		fields = append(fields, ast.NewString(name), ast.NewString(validators[name]))
	}
	return ast.NewStruct(fields...)
}

func cueFile(doc []string, field *ast.Field) ([]byte, error) {
	pkg := &ast.Package{Name: ast.NewIdent("network")}
	comments := &ast.CommentGroup{Doc: true}
	for _, line := range doc {
		comments.List = append(comments.List, &ast.Comment{Text: line})
	}
	ast.AddComment(pkg, comments)
	return format.Node(&ast.File{Decls: []ast.Decl{pkg, field}}, format.Simplify())
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
	if !network.Launched {
		return nil, fmt.Errorf("network %s is not launched: its genesis carries the validators (flux-ledger launch)", network.Name)
	}
	if len(network.PendingValidatorChanges()) == 0 && height == 0 {
		return nil, fmt.Errorf("%s already lists the desired validators: no change pending", ValidatorsRecord)
	}
	if height > 0 && height < network.Governance.Height {
		return nil, fmt.Errorf("--height %d is below the recorded height %d (governance.height): a chain's height only grows", height, network.Governance.Height)
	}
	if height == 0 {
		height = network.Governance.Height
	}
	desired := network.DesiredValidators()
	data, err := validatorsFile(network.Name, desired, height)
	if err != nil {
		return nil, err
	}
	written, err := tree.WriteChanged(repo, tree.Tree{ValidatorsRecord: data}, LockTimeout)
	if err != nil {
		return nil, err
	}
	return &Result{Written: written, Validators: slices.Sorted(maps.Keys(desired))}, nil
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
	data, err := cueFile([]string{
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
