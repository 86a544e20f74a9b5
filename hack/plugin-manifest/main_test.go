package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestManifest checks the manifest against the schema's fields and each checksum
// against sha256sum's.
func TestManifest(t *testing.T) {
	dir := t.TempDir()
	archive := filepath.Join(dir, "flux-ledger_1.2.3_linux_amd64.tar.gz")
	os.WriteFile(archive, []byte("not really an archive"), 0o644)
	out := filepath.Join(dir, "plugin.yaml")
	if err := run("v1.2.3", "https://example.com/releases/v1.2.3/", out, []string{archive}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	var m manifest
	if err := yaml.UnmarshalStrict(data, &m); err != nil {
		t.Fatal(err)
	}
	if m.APIVersion != "cli.fluxcd.io/v1beta1" || m.Kind != "Plugin" || m.Name != "ledger" || m.Bin != "flux-ledger" {
		t.Errorf("manifest header: %+v", m)
	}
	p := m.Versions[0].Platforms[0]
	sum, err := exec.Command("sha256sum", archive).Output()
	if err != nil {
		t.Skip("no sha256sum")
	}
	if p.Checksum != "sha256:"+strings.Fields(string(sum))[0] || p.OS != "linux" || p.Arch != "amd64" || m.Versions[0].Version != "1.2.3" ||
		p.URL != "https://example.com/releases/v1.2.3/flux-ledger_1.2.3_linux_amd64.tar.gz" {
		t.Errorf("platform: %+v", p)
	}
	if err := run("1.0.0", "https://x", out, []string{filepath.Join(dir, "flux-ledger.tar.gz")}); err == nil {
		t.Error("accepted an archive without os and arch")
	}
}
