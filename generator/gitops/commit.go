package gitops

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
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
	// Author defaults to the repository's user.name and user.email.
	Author *object.Signature
	// SignKey signs the commit with OpenPGP when set.
	SignKey *openpgp.Entity
}

// Commit stages exactly the given changes and commits them. It refuses when the index
// has unresolved conflicts or staged changes outside those paths, so a generated
// commit never carries someone's unrelated work.
func Commit(repo *git.Repository, opts CommitOptions) (string, error) {
	wt, err := repo.Worktree()
	if err != nil {
		return "", err
	}
	status, err := wt.Status()
	if err != nil {
		return "", err
	}
	wanted := map[string]bool{}
	for p, s := range status {
		if s.Worktree == git.Unmodified && s.Staging == git.Unmodified {
			continue
		}
		if opts.Generated(p) || opts.IncludeInputs && (strings.HasPrefix(p, "cue/") || isSealedSecret(p)) {
			wanted[p] = true
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
	if len(conflicts) > 0 {
		sort.Strings(conflicts)
		return "", fmt.Errorf("refusing to commit: unresolved conflicts in %s", strings.Join(conflicts, ", "))
	}
	if len(unrelated) > 0 {
		sort.Strings(unrelated)
		return "", fmt.Errorf("refusing to commit: unrelated changes are staged (%s); commit or unstage them first", strings.Join(unrelated, ", "))
	}
	if len(wanted) == 0 {
		return "", fmt.Errorf("nothing to commit: the generated files match HEAD")
	}
	paths := make([]string, 0, len(wanted))
	for p := range wanted {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
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

func configuredAuthor(repo *git.Repository) (*object.Signature, error) {
	cfg, err := repo.ConfigScoped(0) // merged system, global and local configuration
	if err != nil {
		return nil, err
	}
	if cfg.User.Name == "" || cfg.User.Email == "" {
		return nil, fmt.Errorf("no commit author: set git config user.name and user.email, or pass --author")
	}
	return &object.Signature{Name: cfg.User.Name, Email: cfg.User.Email, When: time.Now()}, nil
}

func isSealedSecret(p string) bool {
	parts := strings.Split(p, "/")
	return len(parts) == 4 && parts[0] == "parties" && parts[2] == "secrets"
}
