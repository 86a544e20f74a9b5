package besu

import (
	"fmt"
	"maps"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/token"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
)

// Launch freezes block 0: the genesis, byte for byte, in cue/genesis.cue, and the
// validators the chain starts with in cue/validators.cue. It refuses a network
// already frozen, a validator without identity, and a repository whose rendered
// genesis (what the nodes were given) differs from the one it would record.
func (Platform) Launch(network *model.Network, read func(rel string) ([]byte, error)) (*platform.Launch, error) {
	if network.Genesis.Frozen != nil {
		return nil, fmt.Errorf("%s: network %s is already launched: its genesis is frozen", platform.GenesisRecord, network.Name)
	}
	validators := network.DesiredValidators()
	for _, name := range network.NodeNames() {
		if node := network.Nodes[name]; node.IsValidator() && validators[name] == "" {
			return nil, fmt.Errorf("validator %s has no identity: flux-ledger keys init --party %s", name, node.Party)
		}
	}
	genesis, err := Genesis(network)
	if err != nil {
		return nil, err
	}
	if err := checkRenderedGenesis(network, genesis, read); err != nil {
		return nil, err
	}
	onChain, err := validatorsRecord(network.Name, validators, 0)
	if err != nil {
		return nil, err
	}
	frozen, err := genesisRecord(network.Name, string(genesis), validators)
	if err != nil {
		return nil, err
	}
	// The validators first: alone they change nothing, while the genesis record
	// launches the network, and a launched network needs both.
	return &platform.Launch{
		Records:    []platform.Record{{Path: platform.ValidatorsRecord, Data: onChain}, {Path: platform.GenesisRecord, Data: frozen}},
		Validators: slices.Sorted(maps.Keys(validators)),
	}, nil
}

// LaunchMeaning names what block 0 freezes for ever.
func (Platform) LaunchMeaning(head *model.Network) string {
	validators := slices.Sorted(maps.Keys(head.DesiredValidators()))
	return fmt.Sprintf("launch: block 0 is frozen for ever (chain id %d, %s, %d validators: %s); from now on the chain id, consensus and genesis never change, and validators change only by vote or transition",
		head.ChainID, head.Consensus.Algorithm, len(validators), strings.Join(validators, ", "))
}

// RecordValidators is cue/validators.cue with the desired validators: a pull request
// that says the pending change is now on chain. With a height, it also records the
// chain's block height (read off flux-ledger status), which a new transition's block
// must leave time after; the height alone may be recorded with no change pending, but
// never lowered. It records nothing for a network not launched.
func (Platform) RecordValidators(network *model.Network, height uint64) (platform.Record, []string, error) {
	if !network.Launched {
		return platform.Record{}, nil, fmt.Errorf("network %s is not launched: its genesis carries the validators (flux-ledger launch)", network.Name)
	}
	if len(network.PendingValidatorChanges()) == 0 && height == 0 {
		return platform.Record{}, nil, fmt.Errorf("%s already lists the desired validators: no change pending", platform.ValidatorsRecord)
	}
	if height > 0 && height < network.Governance.Height {
		return platform.Record{}, nil, fmt.Errorf("--height %d is below the recorded height %d (governance.height): a chain's height only grows", height, network.Governance.Height)
	}
	if height == 0 {
		height = network.Governance.Height
	}
	desired := network.DesiredValidators()
	data, err := validatorsRecord(network.Name, desired, height)
	if err != nil {
		return platform.Record{}, nil, err
	}
	return platform.Record{Path: platform.ValidatorsRecord, Data: data}, slices.Sorted(maps.Keys(desired)), nil
}

// checkRenderedGenesis compares the genesis launch records with every party's
// rendered one, when the tree has been generated: the nodes run those bytes.
func checkRenderedGenesis(network *model.Network, genesis []byte, read func(rel string) ([]byte, error)) error {
	for _, party := range network.PartyNames() {
		rel := path.Join("parties", party, GenesisPath)
		data, err := read(rel)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		if rendered, err := GenesisJSON(data); err != nil || rendered != string(genesis) {
			return fmt.Errorf("%s differs from the network's genesis: run flux-ledger generate (and commit) before launching, so the record matches what the nodes run", rel)
		}
	}
	return nil
}

// genesisRecord prints cue/genesis.cue.
func genesisRecord(networkName, genesis string, validators map[string]string) ([]byte, error) {
	frozen := ast.NewStruct(
		ast.NewIdent("json"), &ast.BasicLit{Kind: token.STRING, Value: literal.String.WithOptionalTabIndent(2).Quote(genesis)},
		ast.NewIdent("validators"), validatorAddresses(validators),
	)
	return platform.CUEFile([]string{
		"// The genesis of network " + networkName + ", frozen by `flux-ledger launch`: every node",
		"// runs exactly this block 0. Never edit it: flux-ledger plan refuses any change.",
	}, &ast.Field{Label: ast.NewIdent("network"), Value: ast.NewStruct(
		ast.NewIdent("launched"), ast.NewBool(true),
		ast.NewIdent("genesis"), ast.NewStruct(ast.NewIdent("frozen"), frozen),
	)})
}

// validatorsRecord prints cue/validators.cue: the on-chain validators, and the chain's
// height when recorded (0: not recorded).
func validatorsRecord(networkName string, validators map[string]string, height uint64) ([]byte, error) {
	governance := []any{ast.NewIdent("onChain"), validatorAddresses(validators)}
	if height > 0 {
		governance = append(governance, ast.NewIdent("height"), ast.NewLit(token.INT, strconv.FormatUint(height, 10)))
	}
	return platform.CUEFile([]string{
		"// The validators the chain of network " + networkName + " has now (governance.onChain).",
		"// `flux-ledger launch` wrote the genesis validators. After a validator change shows",
		"// on chain (`flux-ledger status`), record it here by pull request; at most one",
		"// change is in flight at a time.",
	}, &ast.Field{Label: ast.NewIdent("network"), Value: ast.NewStruct(
		ast.NewIdent("governance"), ast.NewStruct(governance...),
	)})
}

func validatorAddresses(validators map[string]string) *ast.StructLit {
	var fields []any
	for _, name := range slices.Sorted(maps.Keys(validators)) {
		fields = append(fields, ast.NewString(name), ast.NewString(validators[name]))
	}
	return ast.NewStruct(fields...)
}
