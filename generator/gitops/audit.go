package gitops

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/plan"
)

// Entry is one topology change in the history.
type Entry struct {
	Commit  string    `json:"commit"`
	Author  string    `json:"author"`
	Email   string    `json:"email"`
	Date    time.Time `json:"date"`
	Summary string    `json:"summary"`
	Parties []string  `json:"parties"`
	// Source says where the parties come from: "trailers" of a generated commit, or
	// "cue-diff", the networks before and after a hand-made change of cue/.
	Source    string `json:"source"`
	Digest    string `json:"networkDigest,omitempty"`
	Signature string `json:"signature,omitempty"` // with VerifySignatures: good, unsigned, bad: …
}

// AuditOptions filter the audit trail.
type AuditOptions struct {
	Party string
	Since time.Time
	// Keyring, armored OpenPGP public keys, turns on signature verification.
	Keyring          string
	VerifySignatures bool
}

// Audit walks the history from HEAD, newest first, and lists every commit that
// changed the topology: generated commits by their trailers, other commits by their
// effect on the network in cue/.
func Audit(repo *git.Repository, opts AuditOptions) ([]Entry, error) {
	head, err := Resolve(repo, "HEAD")
	if err != nil {
		return nil, err
	}
	iter, err := repo.Log(&git.LogOptions{From: head.Hash, Order: git.LogOrderCommitterTime})
	if err != nil {
		return nil, err
	}
	var entries []Entry
	err = iter.ForEach(func(c *object.Commit) error {
		if !opts.Since.IsZero() && c.Committer.When.Before(opts.Since) {
			return storer.ErrStop
		}
		entry, ok, err := auditCommit(c)
		if err != nil || !ok {
			return err
		}
		if opts.Party != "" && !slices.Contains(entry.Parties, opts.Party) {
			return nil
		}
		if opts.VerifySignatures {
			entry.Signature = signature(c, opts.Keyring)
		}
		entries = append(entries, entry)
		return nil
	})
	if err != nil && !errors.Is(err, storer.ErrStop) {
		return nil, err
	}
	return entries, nil
}

// partiesChanged is what a hand-made change did, by the same comparison as plan.
func partiesChanged(before, after *model.Network) ([]string, error) {
	if len(before.Parties) == 0 {
		return after.PartyNames(), nil
	}
	p, err := plan.Compute("", before, after)
	if err != nil {
		return nil, err
	}
	return p.PartiesChanged, nil
}

func auditCommit(c *object.Commit) (Entry, bool, error) {
	entry := Entry{
		Commit: c.Hash.String(), Author: c.Author.Name, Email: c.Author.Email, Date: c.Author.When.UTC(),
		Summary: strings.SplitN(strings.TrimSpace(c.Message), "\n", 2)[0],
	}
	if trailers := ParseTrailers(c.Message); trailers[TrailerParties] != "" {
		entry.Source = "trailers"
		entry.Digest = trailers[TrailerDigest]
		for _, p := range strings.Split(trailers[TrailerParties], ",") {
			if p = strings.TrimSpace(p); p != "" {
				entry.Parties = append(entry.Parties, p)
			}
		}
		return entry, true, nil
	}
	touched, err := touchesCUE(c)
	if err != nil || !touched {
		return entry, false, err
	}
	entry.Source = "cue-diff"
	after, err := NetworkAt(c)
	if err != nil {
		entry.Parties = []string{"(invalid network)"}
		return entry, true, nil
	}
	before := &model.Network{}
	if c.NumParents() > 0 {
		parent, err := c.Parent(0)
		if err != nil {
			return entry, false, err
		}
		if b, err := NetworkAt(parent); err == nil {
			before = b
		}
	}
	if entry.Parties, err = partiesChanged(before, after); err != nil {
		entry.Parties = []string{"(" + err.Error() + ")"}
	}
	entry.Digest = Digest(after)
	return entry, true, nil
}

// touchesCUE reports whether a commit changed anything under cue/.
func touchesCUE(c *object.Commit) (bool, error) {
	tree, err := c.Tree()
	if err != nil {
		return false, err
	}
	var parentTree *object.Tree
	if c.NumParents() > 0 {
		parent, err := c.Parent(0)
		if err != nil {
			return false, err
		}
		if parentTree, err = parent.Tree(); err != nil {
			return false, err
		}
	}
	changes, err := object.DiffTree(parentTree, tree)
	if err != nil {
		return false, err
	}
	for _, ch := range changes {
		if strings.HasPrefix(ch.From.Name, "cue/") || strings.HasPrefix(ch.To.Name, "cue/") {
			return true, nil
		}
	}
	return false, nil
}

func signature(c *object.Commit, keyring string) string {
	if c.PGPSignature == "" {
		return "unsigned"
	}
	if keyring == "" {
		return "signed (no keyring to verify)"
	}
	entity, err := c.Verify(keyring)
	if err != nil {
		return "bad: " + err.Error()
	}
	for name := range entity.Identities {
		return "good: " + name
	}
	return fmt.Sprintf("good: key %X", entity.PrimaryKey.KeyId)
}
