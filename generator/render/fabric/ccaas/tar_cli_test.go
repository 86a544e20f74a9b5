package ccaas_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// requireTar returns the tar CLI's path, or skips; FLUX_LEDGER_REQUIRE_TOOLS=1 says
// the run must prove it.
func requireTar(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("tar")
	if err != nil {
		if os.Getenv("FLUX_LEDGER_REQUIRE_TOOLS") == "1" {
			t.Fatal("tar not found and FLUX_LEDGER_REQUIRE_TOOLS=1")
		}
		t.Skip("tar not found: the package is not cross-checked with the tar CLI")
	}
	return path
}

// The package reads the same with the tar CLI as with Go (fabric-samples'
// test-network makes ccaas packages with `tar cfz`, and operators inspect them with
// `tar -tzvf`): exactly metadata.json and code.tar.gz, regular files, 0644, 0/0; and
// code.tar.gz extracts to a connection.json the ccaas builder decodes.
func TestTarCLIReadsPackage(t *testing.T) {
	tarPath := requireTar(t)
	dir := t.TempDir()
	pkgFile := filepath.Join(dir, "basic.tar.gz")
	if err := os.WriteFile(pkgFile, build(t, plainSpec()).Bytes, 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(tarPath, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("tar %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	listing := strings.Split(strings.TrimSpace(run("-tzvf", pkgFile, "--numeric-owner")), "\n")
	if len(listing) != 2 {
		t.Fatalf("tar lists %d entries:\n%s", len(listing), strings.Join(listing, "\n"))
	}
	for i, name := range []string{"metadata.json", "code.tar.gz"} {
		f := strings.Fields(listing[i])
		// -rw-r--r-- 0/0 SIZE 2023-01-01 00:00 NAME
		if len(f) != 6 || f[0] != "-rw-r--r--" || f[1] != "0/0" || f[3] != "2023-01-01" || f[4] != "00:00" || f[5] != name {
			t.Errorf("tar -tv line %d: %q, want a 0644 regular file %s owned by 0/0", i, listing[i], name)
		}
	}

	run("-xzf", pkgFile)
	if got := strings.TrimSpace(run("-tzf", filepath.Join(dir, "code.tar.gz"))); got != "connection.json" {
		t.Fatalf("code.tar.gz lists %q, want connection.json", got)
	}
	run("-xzf", filepath.Join(dir, "code.tar.gz"))
	data, err := os.ReadFile(filepath.Join(dir, "connection.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c builderConnection
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("connection.json from tar: %v", err)
	}
	if d, err := time.ParseDuration(c.DialTimeout); c.Address != "basic-ccaas.alpha.svc:9999" || err != nil || d != 10*time.Second {
		t.Fatalf("connection.json from tar: %s", data)
	}
	var md fabricMetadata
	mdData, err := os.ReadFile(filepath.Join(dir, "metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(mdData, &md); err != nil || md.Type != "ccaas" || md.Label != "basic_1.0" {
		t.Fatalf("metadata.json from tar: %s (%v)", mdData, err)
	}
}
