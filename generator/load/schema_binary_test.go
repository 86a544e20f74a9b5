package load_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// The rules belong to the binary: a module that edits its schema/ to allow what it then
// does (flux-system for a party) is refused, naming the file; evaluated anyway
// (AllowDrift), the binary's schema still rejects the use.
func TestEditedSchemaIsRefused(t *testing.T) {
	dir := testenv.Module(t, map[string]string{"network.cue": readBase(t)})
	testenv.ClaimFluxSystem(t, dir)
	_, err := load.Network(dir)
	var schemaErr *load.SchemaError
	if !errors.As(err, &schemaErr) || !strings.Contains(err.Error(), "changed "+filepath.Join(dir, "schema", "ownership.cue")) {
		t.Fatalf("load: %v, want a schema error naming schema/ownership.cue", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("the refusal is not one line: %q", err)
	}
	_, err = load.Load(dir, load.Options{AllowDrift: true})
	if err == nil || !strings.Contains(err.Error(), "namespace flux-system is already the reserved namespace") {
		t.Fatalf("evaluated with the binary's schema: %v, want the reserved namespace refused", err)
	}
}

// Raising the validator share limit in the schema's default does not let one party hold
// more validators: the binary's limit applies.
func TestRaisedShareLimitIsRefused(t *testing.T) {
	dir := testenv.Module(t, map[string]string{"network.cue": readBase(t)})
	testenv.EditFile(t, filepath.Join(dir, "schema", "network.cue"), "maxValidatorSharePercent: int & >=1 & <=100 | *34", "maxValidatorSharePercent: int & >=1 & <=100 | *100")
	if _, err := load.Network(dir); err == nil || !strings.Contains(err.Error(), "schema/network.cue") {
		t.Fatalf("load: %v, want a schema error naming schema/network.cue", err)
	}
}

// Files added to or removed from schema/ are drift too, and an added file cannot
// add to the schema package even when evaluation goes on.
func TestExtraAndMissingSchemaFiles(t *testing.T) {
	dir := testenv.Module(t, map[string]string{"network.cue": readBase(t),
		"schema/zz.cue": "package schema\n\n#Network: parties: [_]: contact: =~\"^nobody$\"\n"})
	if err := os.Remove(filepath.Join(dir, "schema", "distinct.cue")); err != nil {
		t.Fatal(err)
	}
	_, err := load.Network(dir)
	for _, want := range []string{"missing " + filepath.Join(dir, "schema", "distinct.cue"), "extra " + filepath.Join(dir, "schema", "zz.cue")} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("load: %v, want %q", err, want)
		}
	}
	result, err := load.Load(dir, load.Options{AllowDrift: true})
	if err != nil {
		t.Fatalf("evaluated with the binary's schema: %v", err)
	}
	if len(result.Schema.Drift) != 2 {
		t.Errorf("drift = %v, want the missing and the extra file", result.Schema.Drift)
	}
}

// A network declared with a copy of the schema kept under another name is still held
// to the binary's #Network.
func TestNetworkDeclaredWithAnotherSchemaIsRefused(t *testing.T) {
	base := strings.Replace(readBase(t), `"flux-ledger.dev/network/schema"`, `schema "flux-ledger.dev/network/myschema"`, 1)
	dir := testenv.Module(t, map[string]string{"network.cue": base})
	testenv.CopyDir(t, filepath.Join(dir, "schema"), filepath.Join(dir, "myschema"))
	files, _ := filepath.Glob(filepath.Join(dir, "myschema", "*.cue"))
	for _, f := range files {
		testenv.EditFile(t, f, "package schema\n", "package myschema\n")
	}
	if _, err := load.Network(dir); err != nil {
		t.Fatalf("an identical copy: %v", err)
	}
	testenv.EditFile(t, filepath.Join(dir, "myschema", "ownership.cue"), testenv.ReservedNamespaces, testenv.FreedFluxSystem)
	testenv.EditFile(t, filepath.Join(dir, "network.cue"), "\t\tcontact:     \"ops@alpha.example\"\n",
		"\t\tcontact:     \"ops@alpha.example\"\n\t\tnamespace:   \"flux-system\"\n")
	if _, err := load.Network(dir); err == nil || !strings.Contains(err.Error(), "flux-system") {
		t.Fatalf("load: %v, want flux-system refused by the binary's schema", err)
	}
}

// A network that does not declare itself with the schema at all is held to it anyway.
func TestNetworkWithoutTheSchemaIsRefused(t *testing.T) {
	base := strings.Replace(readBase(t), "\t\"flux-ledger.dev/network/schema\"\n", "", 1)
	base = strings.Replace(base, "network: schema.#Network & {", "network: {", 1)
	dir := testenv.Module(t, map[string]string{"network.cue": base})
	result, err := load.Network(dir)
	if err != nil {
		t.Fatalf("the base network without the declaration: %v", err)
	}
	if got := result.Network.Parties["alpha"].Namespace; got != "testnet-alpha" {
		t.Errorf("alpha's namespace = %q, want the schema's default testnet-alpha", got)
	}
	testenv.EditFile(t, filepath.Join(dir, "network.cue"), "chainId:  1337", "chainId:  0")
	if _, err := load.Network(dir); err == nil || !strings.Contains(err.Error(), "chainId") {
		t.Fatalf("load: %v, want chainId 0 refused by the binary's schema", err)
	}
}

// FLUX_LEDGER_SCHEMA_DEV is the way to work on the schema itself: the module's own
// schema decides, and the result says so (plan refuses it).
func TestSchemaDevUsesTheModulesSchema(t *testing.T) {
	dir := testenv.Module(t, map[string]string{"network.cue": readBase(t)})
	testenv.ClaimFluxSystem(t, dir)
	t.Setenv(load.SchemaDevEnv, "1")
	result, err := load.Network(dir)
	if err != nil {
		t.Fatalf("load with the module's schema: %v", err)
	}
	if !result.Schema.FromRepo || len(result.Schema.Drift) != 1 {
		t.Errorf("schema = %+v, want FromRepo and one drifted file", result.Schema)
	}
	if result.Network.Parties["alpha"].Namespace != "flux-system" {
		t.Errorf("alpha's namespace = %q", result.Network.Parties["alpha"].Namespace)
	}
}

// The schema's version is a digest of its files; this repository's cue/schema/ is the
// copy the binary embeds.
func TestSchemaDigest(t *testing.T) {
	result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	got := load.EmbeddedSchemaDigest()
	if result.Schema.Digest != got || len(got) != len("sha256:")+12 || !strings.HasPrefix(got, "sha256:") {
		t.Errorf("digest of cue/schema/ = %s, embedded = %s", result.Schema.Digest, got)
	}
	files := load.EmbeddedSchema()
	files["network.cue"] = append(files["network.cue"], '\n')
	if load.SchemaDigest(files) == got {
		t.Error("a changed schema file keeps the digest")
	}
}
