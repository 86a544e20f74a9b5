package generator_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/gitops"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// Without --include-inputs, a commit of generated files rendered from uncommitted
// inputs would not match its own cue/ (HEAD fails generate --check) and could list
// sealed keys it does not contain. It is refused, and refused before generate writes
// (CommitPreflight is what the CLI calls first).
func TestCommitWithoutInputsRefusesUncommittedInputs(t *testing.T) {
	repo, g := gitRepo(t)
	testenv.EditNetwork(t, repo, `"beta-v2": {`, `"beta-m1": {role: "member", cluster: "beta-onprem", image: "docker.io/hyperledger/besu:24.12.2", ports: p2p: 30305}
		"beta-v2": {`)
	if _, err := keys.Init(repo, keys.InitOptions{Party: "beta"}); err != nil {
		t.Fatal(err)
	}
	opts := generator.CommitOptions{Repo: repo, Author: alice}
	err := generator.CommitPreflight(opts)
	for _, want := range []string{"uncommitted inputs", "cue/network.cue", "cue/identities/beta-m1.cue", "parties/beta/secrets/beta-m1-nodekey.yaml", "--include-inputs"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("preflight: %v, want it to mention %q", err, want)
		}
	}
	report := generate(t, repo)
	if _, err := generator.Commit(report, opts); err == nil {
		t.Fatal("commit without inputs succeeded")
	}
	if head, _ := gitops.Resolve(g, "HEAD"); head.Message != "network" {
		t.Fatal("a commit was made")
	}
	// With the inputs, the commit is self-consistent: a clone of HEAD passes
	// generate --check and every kustomization's resources exist in it.
	if _, err := generator.Commit(report, generator.CommitOptions{Repo: repo, Author: alice, IncludeInputs: true}); err != nil {
		t.Fatal(err)
	}
	clone := t.TempDir()
	if _, err := git.PlainClone(clone, false, &git.CloneOptions{URL: repo}); err != nil {
		t.Fatal(err)
	}
	checked, err := generator.Generate(generator.Options{Repo: clone, Check: true})
	if err != nil || len(checked.Changes) != 0 {
		t.Fatalf("HEAD fails generate --check: %v %v", err, changedPaths(checked))
	}
	resolved := 0
	filepath.WalkDir(clone, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.Name() != "kustomization.yaml" {
			return err
		}
		data, _ := os.ReadFile(p)
		var k struct {
			Resources []string `json:"resources"`
		}
		yaml.Unmarshal(data, &k)
		for _, r := range k.Resources {
			// gotk-components.yaml is what `flux bootstrap` commits, by design
			// (docs/operators.md, onboarding, "Plain Flux"): it is never the
			// generator's to provide.
			if strings.Contains(r, "://") || r == "gotk-components.yaml" {
				continue
			}
			if _, err := os.Stat(filepath.Join(filepath.Dir(p), r)); err != nil {
				t.Errorf("%s lists %s, missing from the commit", p, r)
			}
			resolved++
		}
		return nil
	})
	if resolved == 0 {
		t.Fatal("no kustomization resource checked")
	}
}

// A detached HEAD has no branch to move: a commit there would be lost on the next
// checkout. Refused before anything is written.
func TestCommitRefusesADetachedHEAD(t *testing.T) {
	repo, g := gitRepo(t)
	head, _ := gitops.Resolve(g, "HEAD")
	if err := g.Storer.SetReference(plumbing.NewHashReference(plumbing.HEAD, head.Hash)); err != nil {
		t.Fatal(err)
	}
	err := generator.CommitPreflight(generator.CommitOptions{Repo: repo, Author: alice})
	if err == nil || !strings.Contains(err.Error(), "HEAD is detached") {
		t.Fatalf("preflight on a detached HEAD: %v", err)
	}
}
