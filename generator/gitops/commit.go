package gitops

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// CommitOptions describe a commit of generated changes.
type CommitOptions struct {
	// Generated selects the generator's own files: every uncommitted change to one of
	// them is committed, whether this run or an earlier one wrote it.
	Generated func(path string) bool
	// IncludeInputs also commits what the generation read: changes under cue/ and the
	// sealed keys under parties/<party>/secrets/.
	IncludeInputs bool
	Subject       string
	Body          string
	Trailers      [][2]string
	// Author defaults to the one git commit would use (configuredAuthor).
	Author *object.Signature
	// SignKey signs the commit with OpenPGP when set.
	SignKey *openpgp.Entity
	// Check, when set, is asked about every file the commit would add or change; a
	// refusal stops the commit before anything is staged.
	Check func(path string, data []byte) error
}

// Preflight checks, before anything is generated, that a commit could be made: HEAD
// is on a branch, no conflicts are unresolved, nothing unrelated is staged, and —
// without IncludeInputs — the inputs the generated files are rendered from (cue/ and
// the sealed keys) have no uncommitted change, so the commit is self-consistent: its
// generated files are exactly what its own inputs render.
func Preflight(repo *git.Repository, opts CommitOptions) error {
	_, _, _, err := preflight(repo, opts)
	return err
}

func preflight(repo *git.Repository, opts CommitOptions) (*git.Worktree, git.Status, []string, error) {
	head, err := repo.Head()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("refusing to commit: no HEAD (%w)", err)
	}
	if !head.Name().IsBranch() {
		return nil, nil, nil, fmt.Errorf("refusing to commit: HEAD is detached at %s; check out a branch first", head.Hash().String()[:12])
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, nil, nil, err
	}
	status, err := wt.Status()
	if err != nil {
		return nil, nil, nil, err
	}
	wanted := map[string]bool{}
	var inputs []string
	for p, s := range status {
		if s.Worktree == git.Unmodified && s.Staging == git.Unmodified {
			continue
		}
		isInput := strings.HasPrefix(p, "cue/") || IsSealedSecret(p)
		switch {
		case opts.Generated(p):
			wanted[p] = true
		case isInput && opts.IncludeInputs:
			wanted[p] = true
		case isInput:
			inputs = append(inputs, p)
		}
	}
	var conflicts, unrelated []string
	for p, s := range status {
		switch {
		case s.Staging == git.UpdatedButUnmerged || s.Worktree == git.UpdatedButUnmerged:
			conflicts = append(conflicts, p)
		case s.Staging != git.Unmodified && s.Staging != git.Untracked && !wanted[p]:
			unrelated = append(unrelated, p)
		}
	}
	sort.Strings(conflicts)
	sort.Strings(unrelated)
	sort.Strings(inputs)
	switch {
	case len(conflicts) > 0:
		return nil, nil, nil, fmt.Errorf("refusing to commit: unresolved conflicts in %s", strings.Join(conflicts, ", "))
	case len(unrelated) > 0:
		return nil, nil, nil, fmt.Errorf("refusing to commit: unrelated changes are staged (%s); commit or unstage them first", strings.Join(unrelated, ", "))
	case len(inputs) > 0:
		return nil, nil, nil, fmt.Errorf("refusing to commit: the generated files are rendered from uncommitted inputs (%s); commit those first, or pass --include-inputs", strings.Join(inputs, ", "))
	}
	paths := make([]string, 0, len(wanted))
	for p := range wanted {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return wt, status, paths, nil
}

// Commit stages exactly the given changes and commits them. It refuses when the index
// has unresolved conflicts or staged changes outside those paths, so a generated
// commit never carries someone's unrelated work, and when Check refuses any file it
// would add (every refusal is listed, nothing is staged).
func Commit(repo *git.Repository, opts CommitOptions) (string, error) {
	wt, status, paths, err := preflight(repo, opts)
	if err != nil {
		return "", err
	}
	if len(paths) == 0 {
		return "", fmt.Errorf("nothing to commit: the generated files match HEAD")
	}
	if opts.Check != nil {
		var refused []string
		for _, p := range paths {
			if removed(status[p]) {
				continue
			}
			data, err := tree.ReadInput(wt.Filesystem.Root(), p)
			if err != nil {
				return "", err
			}
			if err := opts.Check(p, data); err != nil {
				refused = append(refused, p+": "+err.Error())
			}
		}
		if len(refused) > 0 {
			return "", fmt.Errorf("refusing to commit:\n%s", strings.Join(refused, "\n"))
		}
	}
	for _, p := range paths {
		if status[p].Staging == git.Deleted && status[p].Worktree != git.Untracked {
			continue // git rm already staged it
		}
		if status[p].Worktree == git.Deleted {
			if _, err := wt.Remove(p); err != nil {
				return "", fmt.Errorf("stage removal of %s: %w", p, err)
			}
			continue
		}
		if _, err := wt.Add(p); err != nil {
			return "", fmt.Errorf("stage %s: %w", p, err)
		}
	}
	author := opts.Author
	if author == nil {
		if author, err = configuredAuthor(repo); err != nil {
			return "", err
		}
	}
	hash, err := wt.Commit(Message(opts.Subject, opts.Body, opts.Trailers), &git.CommitOptions{
		Author:  author,
		SignKey: opts.SignKey,
	})
	if err != nil {
		return "", err
	}
	return hash.String(), nil
}

// removed reports a path deleted from the work tree, whether or not the deletion is
// staged (git rm).
func removed(s *git.FileStatus) bool {
	return s.Worktree == git.Deleted || (s.Staging == git.Deleted && s.Worktree != git.Untracked)
}

// Message assembles a commit message: subject, body, then the trailers paragraph.
func Message(subject, body string, trailers [][2]string) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(subject))
	if body = strings.TrimSpace(body); body != "" {
		b.WriteString("\n\n" + body)
	}
	if len(trailers) > 0 {
		b.WriteString("\n")
		for i, t := range trailers {
			if i == 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "%s: %s\n", t[0], t[1])
		}
	}
	return b.String()
}

// configuredAuthor finds the author as git commit does (git-commit-tree(1), "Commit
// information"): GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL, then author.name and
// author.email, then user.name and user.email, each from the repository's, the user's
// (~/.gitconfig or $XDG_CONFIG_HOME/git/config) or the system's configuration, the
// nearest first.
func configuredAuthor(repo *git.Repository) (*object.Signature, error) {
	cfg, err := repo.ConfigScoped(config.SystemScope)
	if err != nil {
		return nil, fmt.Errorf("read git configuration: %w", err)
	}
	first := func(values ...string) string {
		for _, v := range values {
			if v != "" {
				return v
			}
		}
		return ""
	}
	name := first(os.Getenv("GIT_AUTHOR_NAME"), cfg.Author.Name, cfg.User.Name)
	email := first(os.Getenv("GIT_AUTHOR_EMAIL"), cfg.Author.Email, cfg.User.Email)
	if name == "" || email == "" {
		return nil, fmt.Errorf("no commit author: set git config --global user.name and user.email, or pass --author")
	}
	return &object.Signature{Name: name, Email: email, When: time.Now()}, nil
}

// IsSealedSecret reports whether p lies under a party's secrets/ directory, at any
// depth (what keys writes there, and whatever a person put there).
func IsSealedSecret(p string) bool {
	parts := strings.SplitN(p, "/", 4)
	return len(parts) == 4 && parts[0] == "parties" && parts[2] == "secrets"
}
