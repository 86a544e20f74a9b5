// Package gitops is flux-ledger's view of the network repository's Git history, through
// go-git only: the network as it was at any revision, the default base of a pull
// request, commits of generated changes with structured trailers, and the audit trail
// read back from those trailers.
package gitops

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Open opens the Git repository holding dir.
func Open(dir string) (*git.Repository, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s: not in a Git repository", dir)
	}
	return repo, err
}

// Resolve turns a revision (branch, tag, hash, HEAD~1, …) into its commit.
func Resolve(repo *git.Repository, rev string) (*object.Commit, error) {
	hash, err := repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, fmt.Errorf("revision %q: %w", rev, err)
	}
	return repo.CommitObject(*hash)
}

// DefaultBase is what a pull request is compared with: the merge base of HEAD and
// the default branch (origin/main, then main, then master), or HEAD itself when there
// is no such branch or HEAD is on it.
func DefaultBase(repo *git.Repository) (*object.Commit, error) {
	head, err := Resolve(repo, "HEAD")
	if err != nil {
		return nil, err
	}
	for _, branch := range []string{"refs/remotes/origin/main", "refs/heads/main", "refs/heads/master"} {
		ref, err := repo.Reference(plumbing.ReferenceName(branch), true)
		if err != nil {
			continue
		}
		other, err := repo.CommitObject(ref.Hash())
		if err != nil {
			continue
		}
		bases, err := head.MergeBase(other)
		if err == nil && len(bases) > 0 {
			return bases[0], nil
		}
	}
	return head, nil
}

// NetworkAt loads the network as committed at commit (see LoadAt).
func NetworkAt(commit *object.Commit) (*model.Network, error) {
	result, err := LoadAt(commit)
	if err != nil {
		return nil, err
	}
	return result.Network, nil
}

// LoadAt loads the network as committed at commit: its cue/ tree is written to a
// temporary directory (public data only: identities, never secrets) and evaluated
// with the schema built into the binary. The commit's own schema may predate the
// binary's: its digest and drift are in the result, not an error.
func LoadAt(commit *object.Commit) (*load.Result, error) {
	tree, err := commit.Tree()
	if err != nil {
		return nil, err
	}
	cue, err := tree.Tree("cue")
	if err != nil {
		return nil, fmt.Errorf("commit %s has no cue/ directory", commit.Hash.String()[:12])
	}
	dir, err := os.MkdirTemp("", "flux-ledger-base-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	err = cue.Files().ForEach(func(f *object.File) error {
		// A crafted tree can hold entries named ".." or "a/../../x": writing those
		// would leave the temporary directory. Refuse the commit instead.
		if !cleanTreePath(f.Name) {
			return fmt.Errorf("commit %s: tree entry %q under cue/ is not a clean relative path", commit.Hash.String()[:12], f.Name)
		}
		path := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		r, err := f.Reader()
		if err != nil {
			return err
		}
		defer r.Close()
		out, err := os.Create(path)
		if err != nil {
			return err
		}
		defer out.Close()
		_, err = io.Copy(out, r)
		return err
	})
	if err != nil {
		return nil, err
	}
	result, err := load.Load(dir, load.Options{AllowDrift: true})
	if err != nil {
		return nil, fmt.Errorf("network at %s: %w", commit.Hash.String()[:12], err)
	}
	return result, nil
}

// cleanTreePath reports whether a path read from a Git tree is clean, relative and
// free of "." and ".." segments, so joining it below a directory stays there.
func cleanTreePath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		return false
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// Digest identifies an evaluated network: the SHA-256 of its canonical JSON.
func Digest(network *model.Network) string {
	data, _ := json.Marshal(network) // maps marshal with sorted keys: canonical
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Trailers are the structured lines at the end of a generated commit's message.
const (
	TrailerDigest    = "Network-Digest"
	TrailerParties   = "Parties-Changed"
	TrailerGenerator = "Generator-Version"
)

// ParseTrailers reads "Key: value" lines of the last paragraph of a commit message.
func ParseTrailers(message string) map[string]string {
	paragraphs := strings.Split(strings.TrimSpace(message), "\n\n")
	out := map[string]string{}
	for _, line := range strings.Split(paragraphs[len(paragraphs)-1], "\n") {
		key, value, ok := strings.Cut(line, ": ")
		if !ok || strings.ContainsAny(key, " \t") || key == "" {
			return map[string]string{}
		}
		out[key] = strings.TrimSpace(value)
	}
	return out
}

// CommitsBehind counts the commits from sha (exclusive) to head along first parents,
// or -1 when sha is not in head's recent history (limit commits).
func CommitsBehind(repo *git.Repository, head *object.Commit, sha string, limit int) int {
	c := head
	for n := 0; n < limit; n++ {
		if strings.HasPrefix(c.Hash.String(), sha) {
			return n
		}
		if c.NumParents() == 0 {
			return -1
		}
		parent, err := c.Parent(0)
		if err != nil {
			return -1
		}
		c = parent
	}
	return -1
}
