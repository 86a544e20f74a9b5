package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// TestFluxPlugin runs flux-ledger through the real flux CLI's plugin system: flux
// discovers it in FLUXCD_PLUGINS, and `flux ledger …` runs it with its arguments,
// output and exit code intact.
func TestFluxPlugin(t *testing.T) {
	flux := testenv.Tool(t, "flux")
	plugins := t.TempDir()
	if err := os.Symlink(binary, filepath.Join(plugins, "flux-ledger")); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "FLUXCD_PLUGINS="+plugins, "HOME="+t.TempDir())
	run := func(args ...string) (string, int) {
		cmd := exec.Command(flux, args...)
		cmd.Env = env
		out, err := cmd.Output()
		code := 0
		if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	if out, code := run("plugin", "list"); code != 0 || !strings.Contains(out, "ledger") {
		t.Fatalf("flux plugin list (exit %d):\n%s", code, out)
	}
	if out, code := run("ledger", "version"); code != 0 || strings.TrimSpace(out) == "" {
		t.Fatalf("flux ledger version (exit %d): %q", code, out)
	}
	// No cluster is reachable through an empty kubeconfig: every cluster reports
	// NotConfigured and the exit code, 2, comes through flux.
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	os.WriteFile(kubeconfig, []byte("apiVersion: v1\nkind: Config\n"), 0o600)
	out, code := run("ledger", "--repo", testenv.RepoRoot(t), "status", "--output", "json", "--kubeconfig", kubeconfig, "--timeout", "2s")
	var report struct {
		Clusters []struct{ Cluster, State string }
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("flux ledger status --output json: %v\n%s", err, out)
	}
	if code != 2 || len(report.Clusters) != 4 || report.Clusters[0].State != "NotConfigured" {
		t.Errorf("exit %d, report %+v", code, report)
	}
}
