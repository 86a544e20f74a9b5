package gitops

import (
	"errors"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// networkPaths are the parts of a repository that belong to the network: inputs (cue/),
// generated directories and the SOPS rules. Changes anywhere else (code, docs) are no
// party's business in a plan.
var networkPaths = []string{"cue", "parties", "clusters", "policies", ".sops.yaml", "channels"}

func inNetworkPaths(p string) bool {
	for _, n := range networkPaths {
		if p == n || strings.HasPrefix(p, n+"/") {
			return true
		}
	}
	return false
}

// ChangedPaths lists the network paths whose content in the working directory dir
// differs from commit (changed, added or removed), sorted. Interrupted-write leftovers
// and the lock are ignored.
func ChangedPaths(commit *object.Commit, dir string) ([]string, error) {
	t, err := commit.Tree()
	if err != nil {
		return nil, err
	}
	changed := map[string]bool{}
	committed := map[string]bool{}
	err = t.Files().ForEach(func(f *object.File) error {
		if !inNetworkPaths(f.Name) {
			return nil
		}
		committed[f.Name] = true
		data, err := tree.ReadInput(dir, f.Name)
		if err != nil || plumbing.ComputeHash(plumbing.BlobObject, data) != f.Hash {
			changed[f.Name] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, top := range networkPaths {
		base := filepath.Join(dir, top)
		err := filepath.WalkDir(base, func(full string, e fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && full == base {
				return nil
			}
			if err != nil || e.IsDir() {
				return err
			}
			if strings.HasPrefix(e.Name(), ".flux-ledger-") && strings.HasSuffix(e.Name(), ".tmp") {
				return nil
			}
			rel, err := filepath.Rel(dir, full)
			if err != nil {
				return err
			}
			if rel = filepath.ToSlash(rel); !committed[rel] {
				changed[rel] = true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	out := make([]string, 0, len(changed))
	for p := range changed {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// CommitPaths lists the paths a commit changed against its first parent (every path of
// a root commit), sorted.
func CommitPaths(c *object.Commit) ([]string, error) {
	t, err := c.Tree()
	if err != nil {
		return nil, err
	}
	var parentTree *object.Tree
	if c.NumParents() > 0 {
		parent, err := c.Parent(0)
		if err != nil {
			return nil, err
		}
		if parentTree, err = parent.Tree(); err != nil {
			return nil, err
		}
	}
	changes, err := object.DiffTree(parentTree, t)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, ch := range changes {
		for _, name := range []string{ch.From.Name, ch.To.Name} {
			if name != "" {
				seen[name] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}
