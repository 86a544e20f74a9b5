package load_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// flux-ledger vet reads the whole module, as `cue vet -c ./...` does. Both reject a
// broken package the network does not import and an import of a missing package, and
// flux-ledger keeps CUE's reason. A missing or misspelled network field is a rule only
// flux-ledger enforces (cue vet has nothing to require it against; docs/security.md,
// "Rules only flux-ledger enforces"): the test pins that cue vet accepts it, so that
// page stays true.
func TestVetReadsTheWholeModule(t *testing.T) {
	base := readBase(t)
	cases := []struct {
		name          string
		files         map[string]string
		want          string
		cueVetRejects bool
	}{
		{"broken extra package", map[string]string{"network.cue": base, "extra/x.cue": "package extra\n\nx: int & \"a\"\n"},
			`extra/x.cue:3:10: x: conflicting values int and "a"`, true},
		{"missing import", map[string]string{"network.cue": strings.Replace(base, `ids "flux-ledger.dev/network/identities"`, `ids "flux-ledger.dev/network/nope"`, 1)},
			`import failed: cannot find package "flux-ledger.dev/network/nope"`, true},
		{"misspelled network", map[string]string{"network.cue": strings.Replace(base, "\nnetwork:", "\nnetwrok:", 1)}, //nolint:misspell // the misspelling is the mistake under test
			`the package defines no "network" field`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "misspelled network" && !strings.Contains(base, "\nnetwork:") {
				t.Fatal("base network has no top-level network: field")
			}
			dir := testenv.Module(t, c.files)
			_, err := load.Network(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("flux-ledger: %v, want %q", err, c.want)
			}
			out, err := cueVetAll(t, dir)
			if c.cueVetRejects && err == nil {
				t.Errorf("cue vet -c ./... accepted it:\n%s", out)
			}
			if !c.cueVetRejects && err != nil {
				t.Errorf("cue vet -c ./... now rejects it (update the list of rules only flux-ledger enforces in docs/security.md):\n%s", out)
			}
		})
	}
}

// A dependency declared in cue.mod must not make vet reach a registry: it fails at
// once, saying why.
func TestVetNeverFetchesModules(t *testing.T) {
	dir := testenv.Module(t, map[string]string{"network.cue": readBase(t)})
	mod := filepath.Join(dir, "cue.mod", "module.cue")
	data, _ := os.ReadFile(mod)
	os.WriteFile(mod, append(data, []byte("deps: \"example.com/dep@v0\": v: \"v0.0.1\"\n")...), 0o644)
	os.WriteFile(filepath.Join(dir, "dep.cue"), []byte("package network\n\nimport _ \"example.com/dep\"\n"), 0o644)
	t.Setenv("CUE_REGISTRY", "registry.invalid")
	start := time.Now()
	_, err := load.Network(dir)
	if err == nil || !strings.Contains(err.Error(), "does not fetch CUE modules") {
		t.Fatalf("load with a dependency: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s: it waited on a registry", d)
	}
}

func cueVetAll(t *testing.T, dir string) ([]byte, error) {
	t.Helper()
	return runCue(t, dir, "vet", "-c", "./...")
}
