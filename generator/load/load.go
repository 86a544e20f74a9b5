// Package load reads a flux-ledger CUE module, validates it the way `cue vet -c` does
// and decodes it into a model.Network. It is the only package that speaks CUE's Go API
// for reading; every error it returns names a file position and a CUE path.
package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/load"
	"cuelang.org/go/mod/modconfig"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// Issue is one validation failure: where it is and what is wrong.
type Issue struct {
	Pos     string `json:"pos,omitempty"`  // file:line:col, relative to the working directory when possible
	Path    string `json:"path,omitempty"` // CUE path of the offending value, e.g. nodes.a-1.cluster
	Message string `json:"message"`

	// format is CUE's message before its arguments ("incomplete value %v"), the
	// closest thing to an error kind CUE's errors carry; empty for issues flux-ledger
	// raises itself. explain dispatches on it.
	format string
	// incomplete: CUE could not make the value concrete (cue.IsIncomplete), because
	// it, or something it is computed from, is missing.
	incomplete bool
}

func (i Issue) String() string {
	var b strings.Builder
	if i.Pos != "" {
		b.WriteString(i.Pos)
		b.WriteString(": ")
	}
	if i.Path != "" {
		b.WriteString(i.Path)
		b.WriteString(": ")
	}
	b.WriteString(i.Message)
	return b.String()
}

// Error lists every issue found in a network, one line each.
type Error struct {
	Issues []Issue
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Issues))
	for i, issue := range e.Issues {
		lines[i] = issue.String()
	}
	return strings.Join(lines, "\n")
}

// NetworkField is the top-level field of the CUE package that holds the network.
const NetworkField = "network"

// Result is a loaded network.
type Result struct {
	Network *model.Network
	// Schema is what the module's own schema/ is, against the binary's.
	Schema Schema
	// Warnings are what a valid network should still not surprise anyone with.
	Warnings []Issue
	// Placeholders are the warnings about values that only stand in for real ones
	// (placeholders.go), also in Warnings: launch refuses a network with any.
	Placeholders []Issue
}

// Options change how a module is loaded.
type Options struct {
	// AllowDrift evaluates the network with the binary's schema even when the module's
	// schema/ differs from it, and reports the difference in Result.Schema.Drift
	// instead of failing: for plan, which lists it as a refusal, and for a base
	// revision, whose schema may predate the binary.
	AllowDrift bool
}

// evaluate loads the CUE module rooted at dir, checks that it is valid and fully
// concrete under the schema built into the binary, and decodes it (Load bounds it).
func evaluate(dir string, opts Options) (*Result, error) {
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: no such directory", dir)
	case err != nil:
		return nil, err
	case !info.IsDir():
		return nil, fmt.Errorf("%s: not a directory", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "cue.mod")); err != nil {
		return nil, fmt.Errorf("%s: not a CUE module (no cue.mod directory)", dir)
	}

	// The CUE loader follows links and reads any file to its end: refuse, naming the
	// file, a link, device, FIFO or oversized file before it sees the module.
	if err := tree.CheckInputs(dir, filepath.ToSlash(dir)+"/"); err != nil {
		return nil, err
	}
	if err := checkDuplicateKeys(dir); err != nil {
		return nil, err
	}

	// Load every package of the module, as `cue vet -c ./...` does: a broken package
	// that the network does not import must fail here too. The registry refuses every
	// fetch: a dependency in cue.mod would otherwise make vet reach the network.
	cfg := &load.Config{Dir: dir, Registry: &modconfig.LazyRegistry{New: func() (modconfig.CachedRegistry, error) {
		return nil, errors.New("flux-ledger does not fetch CUE modules: the network module must have no dependencies in cue.mod/module.cue")
	}}}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	have, err := moduleSchema(dir)
	if err != nil {
		return nil, err
	}
	want := EmbeddedSchema()
	schema := schemaOf(dir, have, want)
	if len(schema.Drift) > 0 && !schema.FromRepo && !opts.AllowDrift {
		return nil, &SchemaError{Drift: schema.Drift}
	}
	// The binary's schema, not the module's copy, is what the network is held to.
	if !schema.FromRepo {
		cfg.Overlay = schemaOverlay(abs, have, want)
	}
	instances := load.Instances([]string{"./..."}, cfg)
	var rootInst *build.Instance
	var others []*build.Instance
	for _, inst := range instances {
		if inst.Err == nil && inst.Dir == abs && rootInst == nil {
			rootInst = inst
			continue
		}
		if inst.Err != nil {
			if err, ok := syntaxIssues(inst.Err); ok {
				return nil, err
			}
			return nil, issues(inst.Err)
		}
		others = append(others, inst)
	}
	if rootInst == nil {
		return nil, fmt.Errorf("%s: no CUE package at the module root (want package network with network: schema.#Network & {...})", dir)
	}
	ctx := cuecontext.New()
	root := ctx.BuildInstance(rootInst)
	// Validate rather than Err: Err stops at the first error, Validate reports them all.
	if err := root.Validate(cue.Concrete(true), cue.Final(), cue.All()); err != nil {
		return nil, explain(root, issues(err))
	}
	var schemaValue cue.Value
	for _, inst := range others {
		v := ctx.BuildInstance(inst)
		if err := v.Validate(cue.Concrete(true), cue.All()); err != nil {
			return nil, issues(err)
		}
		if inst.Dir == filepath.Join(abs, "schema") {
			schemaValue = v
		}
	}
	value := root.LookupPath(cue.MakePath(cue.Str(NetworkField)))
	if !value.Exists() {
		return nil, fmt.Errorf("%s: the package defines no %q field (network: schema.#Network & {...})", dir, NetworkField)
	}
	if !schema.FromRepo && !declaresWithSchema(rootInst, filepath.Join(abs, "schema")) {
		if value, err = heldToSchema(dir, value, schemaValue); err != nil {
			return nil, err
		}
	}
	var network model.Network
	if err := decodeNetwork(value, &network); err != nil {
		return nil, err
	}
	if err := checkRecipients(root, &network); err != nil {
		return nil, err
	}
	if err := checkApprovalKeys(root, &network); err != nil {
		return nil, err
	}
	if err := checkCIDRs(root, &network); err != nil {
		return nil, err
	}
	check := checkIdentities
	if network.IsFabric() {
		check = checkFabricIdentities
	}
	if err := check(&network, value); err != nil {
		return nil, err
	}
	placeholders := placeholderWarnings(root, &network)
	return &Result{Network: &network, Schema: schema, Warnings: append(outageWarnings(&network), placeholders...), Placeholders: placeholders}, nil
}

// decodeNetwork decodes the validated network into the model through its JSON:
// CUE's own Value.Decode walks the value by reflection, field by field, and was a
// quarter of loading a 3,000-party network (5.0 of 17.5 s); its exporter and
// encoding/json together take a fraction of that. Both honour the model's JSON
// tags (TestDecodeMatchesCUEDecode).
func decodeNetwork(value cue.Value, network *model.Network) error {
	data, err := value.MarshalJSON()
	if err != nil {
		return issues(err)
	}
	return json.Unmarshal(data, network)
}
