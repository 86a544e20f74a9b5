package testenv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ReservedNamespaces is the line of cue/schema/ownership.cue that lists the namespaces
// no party may take, and FreedFluxSystem the same line without flux-system: the edit a
// pull request would make to claim flux-system for a party.
const (
	ReservedNamespaces = `#ReservedNamespaces: ["default", "kube-node-lease", "kube-public", "kube-system", "flux-system", "azure-arc", "kyverno"]`
	FreedFluxSystem    = `#ReservedNamespaces: ["default", "kube-node-lease", "kube-public", "kube-system", "azure-arc", "kyverno"]`
)

// EditFile replaces old, which must occur exactly once, with new in the file at path.
func EditFile(t testing.TB, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(data), old) != 1 {
		t.Fatalf("%s does not contain %q exactly once", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ClaimFluxSystem edits the CUE module at dir as a pull request that frees flux-system
// in the schema and gives it to party alpha of the base network (BaseNetwork).
func ClaimFluxSystem(t testing.TB, dir string) {
	t.Helper()
	EditFile(t, filepath.Join(dir, "schema", "ownership.cue"), ReservedNamespaces, FreedFluxSystem)
	EditFile(t, filepath.Join(dir, "network.cue"), "\t\tcontact:     \"ops@alpha.example\"\n",
		"\t\tcontact:     \"ops@alpha.example\"\n\t\tnamespace:   \"flux-system\"\n")
}
