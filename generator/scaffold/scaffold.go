// Package scaffold starts a consortium's own network repository — the CUE module with
// the schema this binary was built with, a starter network, CI templates, .gitignore
// and a README — and keeps a repository's schema in step with the binary. It writes
// into an empty directory only, and all or nothing: the starter network is validated
// by the loader before any file lands.
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"filippo.io/age"
	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	fluxledger "github.com/flux-ledger/flux-ledger"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

//go:embed templates
var templates embed.FS

// Party is one founding party: its name, the age recipient its secrets are sealed to
// and the reviewers who approve its changes (required when there are two parties or
// more: the schema refuses a party without reviewers then).
type Party struct {
	Name      string
	Recipient string
	Reviewers []string
}

// Options describe the network to start.
type Options struct {
	Dir        string // the repository root: must be empty or not exist
	Name       string // network name
	Platform   string // "besu" or "fabric"
	Consensus  string // besu: "qbft" (default) or "ibft2"; fabric: "etcdraft" (default)
	ChainID    int    // besu only
	Repository string // the Git URL every cluster reconciles from
	Parties    []Party
	Version    string // the flux-ledger version, pinned in the CI templates
	// Revision is the source commit this flux-ledger was built from, which the CI
	// templates build (empty or "unknown": they keep "main").
	Revision string
}

// Init writes a new network repository and returns the paths it wrote, sorted.
func Init(opts Options) ([]string, error) {
	if opts.Consensus == "" {
		opts.Consensus = defaultConsensus[opts.Platform]
	}
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	if err := checkEmpty(opts.Dir); err != nil {
		return nil, err
	}
	files, err := repositoryFiles(opts)
	if err != nil {
		return nil, err
	}
	// Validate the starter network with the same loader `vet` uses, in a staging
	// directory beside the target, so a network the schema refuses writes nothing.
	parent := filepath.Dir(filepath.Clean(opts.Dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	staging, err := os.MkdirTemp(parent, ".flux-ledger-init-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(staging)
	for _, p := range files.Paths() {
		if err := tree.WriteFile(filepath.Join(staging, filepath.FromSlash(p)), files[p]); err != nil {
			return nil, err
		}
	}
	if _, err := load.Network(filepath.Join(staging, "cue")); err != nil {
		// Name the files as they would have been written, not the staging directory.
		msg := strings.ReplaceAll(err.Error(), staging, filepath.Clean(opts.Dir))
		return nil, fmt.Errorf("the starter network does not validate, nothing written:\n%s", msg)
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(staging)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if err := os.Rename(filepath.Join(staging, e.Name()), filepath.Join(opts.Dir, e.Name())); err != nil {
			return nil, err
		}
	}
	return files.Paths(), nil
}

// defaultConsensus is each platform's consensus when none is given.
var defaultConsensus = map[string]string{"besu": "qbft", "fabric": "etcdraft"}

func checkOptions(opts Options) error {
	switch {
	case opts.Platform != "besu" && opts.Platform != "fabric":
		return fmt.Errorf("--platform %q: flux-ledger renders besu and fabric networks", opts.Platform)
	case opts.Platform == "besu" && opts.Consensus != "qbft" && opts.Consensus != "ibft2":
		return fmt.Errorf("--consensus %q: a besu network runs qbft or ibft2", opts.Consensus)
	case opts.Platform == "fabric" && opts.Consensus == "smartbft":
		// SmartBFT needs Fabric 3.1 and four orderers or more with no party above
		// ⌊(n−1)/3⌋ of them (cue/schema/fabric.cue): no starter shape fits every
		// number of parties, so the starter is Raft and the switch is an edit.
		return fmt.Errorf("--consensus smartbft: the fabric starter runs etcdraft; SmartBFT needs fabric.version \"3.1\" and at least 4 orderers, no party holding more than ⌊(n−1)/3⌋ of the n: start with etcdraft and change consensus, fabric.version and the orderers in cue/network.cue before launch")
	case opts.Platform == "fabric" && opts.Consensus != "etcdraft":
		return fmt.Errorf("--consensus %q: a fabric network runs etcdraft (or smartbft, set in cue/network.cue)", opts.Consensus)
	}
	if !dnsLabel.MatchString(opts.Name) || len(opts.Name) > 63 {
		return fmt.Errorf("--name %q: a network name is a DNS label of at most 63 characters: lowercase letters, digits and '-', starting and ending with a letter or digit", opts.Name)
	}
	if len(opts.Parties) == 0 {
		return errors.New("--party: name at least one party, as NAME=AGE_RECIPIENT")
	}
	seen := map[string]bool{}
	for _, p := range opts.Parties {
		if !dnsLabel.MatchString(p.Name) || len(p.Name) > 24 {
			return fmt.Errorf("--party %q: a party name is a DNS label of at most 24 characters: lowercase letters, digits and '-', starting and ending with a letter or digit", p.Name)
		}
		if seen[p.Name] {
			return fmt.Errorf("--party %s: named twice", p.Name)
		}
		seen[p.Name] = true
		// Never repeat a secret key: this message lands in terminals and CI logs.
		if strings.Contains(strings.ToUpper(p.Recipient), "AGE-SECRET-KEY-") {
			return fmt.Errorf("--party %s: that is an age secret key, not a recipient: it was not written anywhere, but treat it as exposed if you pasted it where others see; give its public recipient (age1…, from age-keygen -y KEYFILE)", p.Name)
		}
		if _, err := age.ParseX25519Recipient(p.Recipient); err != nil {
			return fmt.Errorf("--party %s: %q is not an age recipient (age1…, from age-keygen -y): %w", p.Name, p.Recipient, err)
		}
	}
	for _, p := range opts.Parties {
		if len(opts.Parties) > 1 && len(p.Reviewers) == 0 {
			return fmt.Errorf("--reviewer %s=HANDLE: party %s names no reviewer; with two parties or more each party reviews its own directories and every shared change from the first commit", p.Name, p.Name)
		}
	}
	return nil
}

// dnsLabel is the schema's #Name (cue/schema/names.cue), checked before anything is
// rendered so a bad flag is named as the flag, not as the fields it would fill.
var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// checkEmpty refuses a directory that holds anything but an empty .git: init never
// overwrites or mixes with existing files.
func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if e.Name() != ".git" {
			names = append(names, e.Name())
		}
	}
	if len(names) > 0 {
		return fmt.Errorf("%s: not empty (%s): init starts a new repository; to update its schema, use --upgrade-schema", dir, strings.Join(names, ", "))
	}
	return nil
}

// repositoryFiles renders every file of the new repository in memory.
func repositoryFiles(opts Options) (tree.Tree, error) {
	files := tree.Tree{}
	err := fs.WalkDir(fluxledger.CUEModule, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files[p], err = fluxledger.CUEModule.ReadFile(p)
		return err
	})
	if err != nil {
		return nil, err
	}
	if files["cue/network.cue"], err = starterNetwork(opts); err != nil {
		return nil, err
	}
	for target, source := range map[string]string{
		".github/workflows/network.yml": "templates/github-network.yml",
		"azure-pipelines.yml":           "templates/azure-pipelines.yml",
	} {
		if files[target], err = pinnedCI(source, opts.Version, opts.Revision); err != nil {
			return nil, err
		}
	}
	if files[".gitignore"], err = templates.ReadFile("templates/gitignore"); err != nil {
		return nil, err
	}
	readme, err := templates.ReadFile("templates/README.md")
	if err != nil {
		return nil, err
	}
	// What starting the chain means differs by platform: validators on Besu,
	// channels on Fabric.
	launch, err := templates.ReadFile("templates/README-launch-" + opts.Platform + ".md")
	if err != nil {
		return nil, err
	}
	readme = append(readme, launch...)
	files["README.md"] = bytes.ReplaceAll(bytes.ReplaceAll(readme, []byte("NETWORK"), []byte(opts.Name)), []byte("VERSION"), []byte(opts.Version))
	return files, nil
}

// pinnedCI sets the CI template's FLUX_LEDGER_VERSION and FLUX_LEDGER_REVISION (the
// env of the GitHub workflow, the variables of the Azure pipeline) to this build's,
// keeping the template's comments; a build that knows neither keeps the template's.
func pinnedCI(source, version, revision string) ([]byte, error) {
	data, err := templates.ReadFile(source)
	if version == "dev" {
		version = ""
	}
	if revision == "unknown" {
		revision = ""
	}
	if err != nil || version == "" && revision == "" {
		return data, err
	}
	node, err := kyaml.Parse(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	for _, parent := range []string{"env", "variables"} {
		vars := node.Field(parent)
		if vars == nil {
			continue
		}
		for field, value := range map[string]string{"FLUX_LEDGER_VERSION": version, "FLUX_LEDGER_REVISION": revision} {
			if value == "" {
				continue
			}
			if err := vars.Value.PipeE(kyaml.SetField(field, kyaml.NewStringRNode(value))); err != nil {
				return nil, fmt.Errorf("%s: %w", source, err)
			}
		}
	}
	var out bytes.Buffer
	if err := (kio.ByteWriter{Writer: &out}).Write([]*kyaml.RNode{node}); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// SchemaDrift lists the schema files (paths relative to the repository) whose bytes
// differ from the schema built into this binary, or that it lacks.
func SchemaDrift(repo string) ([]string, error) {
	var drift []string
	err := fs.WalkDir(fluxledger.CUEModule, "cue/schema", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		want, err := fluxledger.CUEModule.ReadFile(p)
		if err != nil {
			return err
		}
		have, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(p)))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		if !bytes.Equal(have, want) {
			drift = append(drift, p)
		}
		return nil
	})
	slices.Sort(drift)
	return drift, err
}

// UpgradeSchema makes the repository's cue/schema/ the binary's: it rewrites the files
// that differ, removes the .cue files the binary's schema does not have (every one of
// them would be drift the loader refuses), and returns the paths it wrote and removed.
func UpgradeSchema(repo string) (written, removed []string, err error) {
	drift, err := SchemaDrift(repo)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range drift {
		data, err := fluxledger.CUEModule.ReadFile(p)
		if err != nil {
			return nil, nil, err
		}
		if err := tree.WriteFile(filepath.Join(repo, filepath.FromSlash(p)), data); err != nil {
			return nil, nil, err
		}
		written = append(written, p)
	}
	entries, err := os.ReadDir(filepath.Join(repo, "cue", "schema"))
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		p := path.Join("cue/schema", e.Name())
		if _, err := fs.Stat(fluxledger.CUEModule, p); errors.Is(err, fs.ErrNotExist) && strings.HasSuffix(p, ".cue") && !e.IsDir() {
			if err := os.Remove(filepath.Join(repo, filepath.FromSlash(p))); err != nil {
				return nil, nil, err
			}
			removed = append(removed, p)
		}
	}
	return written, removed, nil
}
