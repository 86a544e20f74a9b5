// Package testenv is for tests only. It finds what tests need from outside Go: the repository root, the
// reference CUE module, and the pinned external CLIs that `make tools` builds into bin/.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"filippo.io/age"
)

// RepoRoot is the repository's top-level directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate repository root")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Tool returns the path of a pinned CLI in bin/. Under `make test`
// (FLUX_LEDGER_REQUIRE_TOOLS=1) a missing tool fails the test; a bare `go test`
// skips it with the command that builds it.
func Tool(t testing.TB, name string) string {
	t.Helper()
	path := filepath.Join(RepoRoot(t), "bin", name)
	_, err := exec.LookPath(path)
	requireTool(t, name, err)
	return path
}

// requireTool fails (under make test) or skips the test when a tool is missing.
func requireTool(t testing.TB, name string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("FLUX_LEDGER_REQUIRE_TOOLS") == "1" {
		t.Fatalf("%s is required: %v (run make tools)", name, err)
	}
	t.Skipf("%s is not in bin/: run make tools (or make test), which builds, fetches or installs it", name)
}

// ToolFile returns the path of a file in bin/ that make tools provides (a script or
// bundle, not a program), skipping or failing like Tool when it is missing.
func ToolFile(t testing.TB, name string) string {
	t.Helper()
	path := filepath.Join(RepoRoot(t), "bin", name)
	_, err := os.Stat(path)
	requireTool(t, name, err)
	return path
}

// CopyDir copies a directory tree (regular files only) for tests that mutate a module.
func CopyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Module builds a throwaway CUE module in a temporary directory: the repository's
// cue.mod and schema, empty identities and msp packages, and the given files (path relative
// to the module root → content), typically a network.cue. It returns the module root.
func Module(t testing.TB, files map[string]string) string {
	t.Helper()
	root := RepoRoot(t)
	dir := t.TempDir()
	CopyDir(t, filepath.Join(root, "cue", "cue.mod"), filepath.Join(dir, "cue.mod"))
	CopyDir(t, filepath.Join(root, "cue", "schema"), filepath.Join(dir, "schema"))
	packages := map[string]string{}
	for _, pkg := range []string{"identities", "msp"} {
		data, err := os.ReadFile(filepath.Join(root, "cue", pkg, "doc.cue"))
		if err != nil {
			t.Fatal(err)
		}
		packages[pkg+"/doc.cue"] = string(data)
	}
	files = mergeFiles(packages, files)
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mergeFiles(base, overlay map[string]string) map[string]string {
	for k, v := range overlay {
		base[k] = v
	}
	return base
}

// BaseNetwork is the small valid network of the load tests (two parties, alpha and
// beta), with each party's recipient replaced by the given one when not empty.
func BaseNetwork(t testing.TB, alphaRecipient, betaRecipient string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(RepoRoot(t), "generator", "load", "testdata", "base.cue"))
	if err != nil {
		t.Fatal(err)
	}
	network := string(data)
	for old, recipient := range map[string]string{
		"age1a0wy2f3efug284a4r78kudc0jy03cmls0wfk52a5773d08v6446qx6u4av": alphaRecipient,
		"age10k2a9fa93fhfu7qj8htca6gwypm35juh5jg2zakgcjpcs8m4afaqm8w3eg": betaRecipient,
	} {
		if recipient != "" {
			network = strings.Replace(network, old, recipient, 1)
		}
	}
	return network
}

// FabricExample is the Fabric reference network, examples/fabric/network.cue.
func FabricExample(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(RepoRoot(t), "examples", "fabric", "network.cue"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// PartyKey is a party's age identity and the key file holding it.
type PartyKey struct {
	Identity *age.X25519Identity
	File     string
}

// FabricRepo builds a repository of the Fabric reference network (Repo, FabricExample)
// with each party's recipient replaced by a fresh age key, returned by party.
func FabricRepo(t testing.TB) (string, map[string]PartyKey) {
	t.Helper()
	network := FabricExample(t)
	keys := map[string]PartyKey{}
	for party, recipient := range map[string]string{
		"contoso":   "age1a0wy2f3efug284a4r78kudc0jy03cmls0wfk52a5773d08v6446qx6u4av",
		"fabrikam":  "age10k2a9fa93fhfu7qj8htca6gwypm35juh5jg2zakgcjpcs8m4afaqm8w3eg",
		"northwind": "age1cn65f5s3ggkuay2jjyxxztxgx3qu9lrz5xxp2f673t7ftk0z23lq05tshu",
	} {
		if !strings.Contains(network, recipient) {
			t.Fatalf("examples/fabric/network.cue no longer lists %s's recipient %s", party, recipient)
		}
		id, file := AgeKey(t)
		keys[party] = PartyKey{Identity: id, File: file}
		network = strings.Replace(network, recipient, id.Recipient().String(), 1)
	}
	return Repo(t, network), keys
}

// Repo builds a throwaway network repository whose cue/ module holds the given
// network.cue, and returns its root.
func Repo(t testing.TB, network string) string {
	t.Helper()
	module := Module(t, map[string]string{"network.cue": network})
	root := t.TempDir()
	if err := os.Rename(module, filepath.Join(root, "cue")); err != nil {
		t.Fatal(err)
	}
	return root
}

// AgeKey creates a fresh age identity and writes it to a key file, as a party would.
func AgeKey(t testing.TB) (identity *age.X25519Identity, keyFile string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	keyFile = filepath.Join(t.TempDir(), "age.agekey")
	if err := os.WriteFile(keyFile, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return id, keyFile
}

// EditNetwork replaces old, which must occur exactly once, with new in the
// repository's cue/network.cue.
func EditNetwork(t testing.TB, repo, old, new string) {
	t.Helper()
	path := filepath.Join(repo, "cue", "network.cue")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(data), old) != 1 {
		t.Fatalf("network.cue does not contain %q exactly once", old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// AddParty adds a party with one plain-Flux cluster (<party>-onprem) and the given
// validators (<party>-v1, …) to the base network (BaseNetwork) in repo's
// cue/network.cue: a party joining a running network.
func AddParty(t testing.TB, repo, party, recipient string, validators int) {
	t.Helper()
	EditNetwork(t, repo, "\t\tbeta: {", fmt.Sprintf(`		%[1]s: {
			displayName: %[1]q
			contact:     "ops@%[1]s.example"
			recipients: [%[2]q]
			reviewers: ["ops@%[1]s.example"]
		}
		beta: {`, party, recipient))
	EditNetwork(t, repo, "\t\t\"beta-onprem\": {", fmt.Sprintf(`		"%[1]s-onprem": {
			party:    %[1]q
			provider: "onprem"
			region:   "westeurope"
			gitops: mode: "flux"
			exposure: {mode: "loadbalancer", dnsSuffix: "%[1]s.example"}
			egressCIDRs: ["192.0.2.0/28"]
		}
		"beta-onprem": {`, party))
	var nodes strings.Builder
	for i := 1; i <= validators; i++ {
		fmt.Fprintf(&nodes, "\t\t\"%s-v%d\": {role: \"validator\", cluster: \"%s-onprem\", image: \"docker.io/hyperledger/besu:24.12.2\", ports: p2p: %d}\n", party, i, party, 30302+i)
	}
	EditNetwork(t, repo, "\t\t\"beta-v1\": {", nodes.String()+"\t\t\"beta-v1\": {")
}
