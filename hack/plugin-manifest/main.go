// Command plugin-manifest writes the Flux CLI plugin manifest of flux-ledger (schema
// cli.fluxcd.io/v1beta1, kind Plugin, as the flux CLI's plugin catalog reads it) for a
// set of built archives, with the sha256 checksum of each.
//
// usage: plugin-manifest -version 1.2.3 -url https://example/releases/v1.2.3 -out dist/plugin.yaml dist/*.tar.gz
// Archive names must end in _<os>_<arch>.tar.gz.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"
)

// The manifest types mirror github.com/fluxcd/flux2/v2/pkg/plugin (v2.9.5).
type manifest struct {
	APIVersion  string    `json:"apiVersion"`
	Kind        string    `json:"kind"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Homepage    string    `json:"homepage,omitempty"`
	Source      string    `json:"source,omitempty"`
	Bin         string    `json:"bin"`
	Versions    []version `json:"versions"`
}

type version struct {
	Version   string     `json:"version"`
	Platforms []platform `json:"platforms"`
}

type platform struct {
	OS       string `json:"os"`
	Arch     string `json:"arch"`
	URL      string `json:"url"`
	Checksum string `json:"checksum"`
}

var archiveName = regexp.MustCompile(`_([a-z0-9]+)_([a-z0-9]+)\.tar\.gz$`)

func main() {
	v := flag.String("version", "", "the plugin version (semver, no v)")
	url := flag.String("url", "", "base URL the archives are published under")
	out := flag.String("out", "dist/plugin.yaml", "manifest to write")
	flag.Parse()
	if err := run(*v, *url, *out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "plugin-manifest:", err)
		os.Exit(1)
	}
}

func run(v, url, out string, archives []string) error {
	if v == "" || url == "" || len(archives) == 0 {
		return fmt.Errorf("need -version, -url and at least one archive")
	}
	ver := version{Version: strings.TrimPrefix(v, "v")}
	for _, a := range archives {
		m := archiveName.FindStringSubmatch(filepath.Base(a))
		if m == nil {
			return fmt.Errorf("%s: want a name ending in _<os>_<arch>.tar.gz", a)
		}
		sum, err := sha256File(a)
		if err != nil {
			return err
		}
		ver.Platforms = append(ver.Platforms, platform{
			OS: m[1], Arch: m[2], URL: strings.TrimSuffix(url, "/") + "/" + filepath.Base(a), Checksum: "sha256:" + sum,
		})
	}
	data, err := yaml.Marshal(manifest{
		APIVersion:  "cli.fluxcd.io/v1beta1",
		Kind:        "Plugin",
		Name:        "ledger",
		Description: "Run one blockchain network across many parties' clusters with GitOps",
		Source:      "https://github.com/flux-ledger/flux-ledger",
		Bin:         "flux-ledger",
		Versions:    []version{ver},
	})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
