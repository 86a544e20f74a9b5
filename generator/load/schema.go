package load

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/load"
	"cuelang.org/go/cue/token"

	fluxledger "github.com/flux-ledger/flux-ledger"
)

// SchemaDevEnv names the environment variable that makes the loader evaluate a network
// with the module's own schema/ instead of the schema built into the binary. It exists
// to work on the schema itself: `flux-ledger plan` refuses every change made under it.
const SchemaDevEnv = "FLUX_LEDGER_SCHEMA_DEV"

// SchemaFromRepo reports whether SchemaDevEnv is set to 1.
func SchemaFromRepo() bool { return os.Getenv(SchemaDevEnv) == "1" }

// Schema is what the loader found of the module's own copy of the schema.
type Schema struct {
	// Digest identifies the module's schema/*.cue files (see SchemaDigest).
	Digest string
	// Drift lists the module's schema files that differ from the binary's.
	Drift []Drift
	// FromRepo is set when the network was evaluated with the module's own schema
	// (SchemaDevEnv), not the binary's.
	FromRepo bool
}

// Drift is one schema file that differs from the binary's: changed, missing or extra.
type Drift struct {
	Path string // as the module directory was named, e.g. cue/schema/names.cue
	How  string
}

func (d Drift) String() string { return d.How + " " + d.Path }

// SchemaError refuses a module whose schema/ is not the schema built into the binary:
// the rules a network is held to belong to the binary, not to the pull request.
type SchemaError struct {
	Drift []Drift
}

func (e *SchemaError) Error() string {
	lines := make([]string, len(e.Drift))
	for i, d := range e.Drift {
		lines[i] = d.String()
	}
	return fmt.Sprintf("the repository's schema differs from the one built into flux-ledger (%s): %s; the binary's schema decides: revert the change, or upgrade with 'flux-ledger init --upgrade-schema'",
		EmbeddedSchemaDigest(), strings.Join(lines, ", "))
}

// EmbeddedSchema returns the schema built into the binary: file name → content.
func EmbeddedSchema() map[string][]byte {
	files := map[string][]byte{}
	entries, err := fs.ReadDir(fluxledger.CUEModule, "cue/schema")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	for _, e := range entries {
		data, err := fluxledger.CUEModule.ReadFile(path.Join("cue/schema", e.Name()))
		if err != nil {
			panic(err)
		}
		files[e.Name()] = data
	}
	return files
}

// SchemaDigest is the version of a schema: "sha256:" and the first 12 hex digits of
// the SHA-256 over its files' names and contents, in name order. It depends on the
// schema's bytes only, so two builds embedding the same schema agree.
func SchemaDigest(files map[string][]byte) string {
	h := sha256.New()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", name, len(files[name]))
		h.Write(files[name])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:12]
}

// EmbeddedSchemaDigest is SchemaDigest of the binary's schema.
func EmbeddedSchemaDigest() string { return SchemaDigest(EmbeddedSchema()) }

// SchemaOf compares the schema/ of the CUE module rooted at dir with the binary's,
// without evaluating anything: what plan reports of a network that does not load.
func SchemaOf(dir string) (Schema, error) {
	have, err := moduleSchema(dir)
	if err != nil {
		return Schema{}, err
	}
	return schemaOf(dir, have, EmbeddedSchema()), nil
}

func schemaOf(dir string, have, want map[string][]byte) Schema {
	return Schema{Digest: SchemaDigest(have), Drift: schemaDrift(dir, have, want), FromRepo: SchemaFromRepo()}
}

// moduleSchema reads the module's schema/*.cue files.
func moduleSchema(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	entries, err := os.ReadDir(filepath.Join(dir, "schema"))
	if errors.Is(err, fs.ErrNotExist) {
		return files, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".cue") {
			continue
		}
		if files[e.Name()], err = os.ReadFile(filepath.Join(dir, "schema", e.Name())); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// schemaDrift compares the module's schema files with the binary's, in name order.
func schemaDrift(dir string, have, want map[string][]byte) []Drift {
	var drift []Drift
	for name, data := range want {
		got, ok := have[name]
		switch {
		case !ok:
			drift = append(drift, Drift{Path: filepath.Join(dir, "schema", name), How: "missing"})
		case !bytes.Equal(got, data):
			drift = append(drift, Drift{Path: filepath.Join(dir, "schema", name), How: "changed"})
		}
	}
	for name := range have {
		if _, ok := want[name]; !ok {
			drift = append(drift, Drift{Path: filepath.Join(dir, "schema", name), How: "extra"})
		}
	}
	slices.SortFunc(drift, func(a, b Drift) int { return strings.Compare(a.Path, b.Path) })
	return drift
}

// schemaOverlay puts the binary's schema in place of the module's schema/*.cue: every
// embedded file at its path, and every extra file of the module's emptied to a bare
// package clause, so nothing of the module's copy reaches the evaluation.
func schemaOverlay(abs string, have, want map[string][]byte) map[string]load.Source {
	overlay := map[string]load.Source{}
	for name, data := range want {
		overlay[filepath.Join(abs, "schema", name)] = load.FromBytes(data)
	}
	for name := range have {
		if _, ok := want[name]; !ok {
			overlay[filepath.Join(abs, "schema", name)] = load.FromString("package schema\n")
		}
	}
	return overlay
}

// heldToSchema unifies the network with the binary's #Network whatever network.cue
// imports, and returns the result to decode (the schema's defaults included): a network
// declared with a copy of the schema kept elsewhere in the module, or with none, would
// otherwise escape the overlay.
func heldToSchema(dir string, network, schema cue.Value) (cue.Value, error) {
	def := schema.LookupPath(cue.ParsePath("#Network"))
	if !def.Exists() {
		return network, fmt.Errorf("%s: the module has no schema package (schema/): the network must be schema.#Network & {...}", dir)
	}
	held := network.Unify(def)
	if err := held.Validate(cue.Concrete(true), cue.Final(), cue.All()); err != nil {
		return network, fmt.Errorf("the network does not satisfy the schema built into flux-ledger (is it declared with another schema than flux-ledger.dev/network/schema?):\n%w", issues(err))
	}
	return held, nil
}

// declaresWithSchema reports whether a file of the root package declares the network as
// <import of schema/>.#Network & …: the overlay has made that package the binary's, so
// the network is held to it already and heldToSchema, which costs a second evaluation,
// is not needed. Unification only adds constraints, so other declarations of network
// cannot loosen it.
func declaresWithSchema(root *build.Instance, schemaDir string) bool {
	importPath := ""
	for _, imp := range root.Imports {
		if imp.Dir == schemaDir {
			importPath = imp.ImportPath
		}
	}
	if importPath == "" {
		return false
	}
	for _, f := range root.Files {
		for _, d := range f.Decls {
			field, ok := d.(*ast.Field)
			if !ok {
				continue
			}
			if name, _, _ := ast.LabelName(field.Label); name == NetworkField && conjoinsNetwork(field.Value, importPath) {
				return true
			}
		}
	}
	return false
}

// conjoinsNetwork reports whether x is a conjunction one of whose terms is #Network of
// the package imported as importPath.
func conjoinsNetwork(x ast.Expr, importPath string) bool {
	switch x := x.(type) {
	case *ast.ParenExpr:
		return conjoinsNetwork(x.X, importPath)
	case *ast.BinaryExpr:
		return x.Op == token.AND && (conjoinsNetwork(x.X, importPath) || conjoinsNetwork(x.Y, importPath))
	case *ast.SelectorExpr:
		id, ok := x.X.(*ast.Ident)
		if !ok {
			return false
		}
		spec, ok := id.Node.(*ast.ImportSpec)
		if !ok || spec.Path == nil {
			return false
		}
		path, err := literal.Unquote(spec.Path.Value)
		sel, _, _ := ast.LabelName(x.Sel)
		return err == nil && sel == "#Network" && stripQualifier(path) == stripQualifier(importPath)
	}
	return false
}

func stripQualifier(importPath string) string {
	path, _, _ := strings.Cut(importPath, ":")
	return path
}
