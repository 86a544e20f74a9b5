package gitops

import (
	"errors"
	"fmt"
	"slices"
	"sort"
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
	// Parties are derived from what the commit changed (its tree diff against its first
	// parent), never from what its message claims.
	Parties []string `json:"parties"`
	// Source says how the commit was made: "trailers" for a generated commit (whose
	// trailers are then checked against its diff), "cue-diff" for any other.
	Source string `json:"source"`
	Digest string `json:"networkDigest,omitempty"`
	// TrailerParties is what a Parties-Changed trailer claimed; Warning says when that
	// differs from the diff (a hand-written or edited trailer).
	TrailerParties []string `json:"trailerParties,omitempty"`
	Warning        string   `json:"warning,omitempty"`
	// Problem is set when the commit could not be read (a malformed tree entry, a
	// missing object): it is listed, with every party, rather than stopping the audit.
	Problem   string `json:"problem,omitempty"`
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
// changed the network (cue/, parties/, clusters/, policies/, .sops.yaml), with the
// parties its diff touches. A commit that cannot be read is listed with its problem.
func Audit(repo *git.Repository, opts AuditOptions) ([]Entry, error) {
	head, err := Resolve(repo, "HEAD")
	if err != nil {
		return nil, err
	}
	iter, err := repo.Log(&git.LogOptions{From: head.Hash, Order: git.LogOrderCommitterTime})
	if err != nil {
		return nil, err
	}
	a := &auditor{networks: map[string]*model.Network{}}
	var entries []Entry
	err = iter.ForEach(func(c *object.Commit) error {
		if !opts.Since.IsZero() && c.Committer.When.Before(opts.Since) {
			return storer.ErrStop
		}
		entry, ok := a.commit(c)
		if !ok {
			return nil
		}
		if opts.Party != "" && entry.Problem == "" && !slices.Contains(entry.Parties, opts.Party) {
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

// auditor caches networks by the hash of their cue/ tree: most commits do not change
// it, and loading one costs a CUE evaluation.
type auditor struct {
	networks map[string]*model.Network
}

func (a *auditor) network(c *object.Commit) (*model.Network, error) {
	t, err := c.Tree()
	if err != nil {
		return nil, err
	}
	cue, err := t.Tree("cue")
	if err != nil {
		return &model.Network{}, nil
	}
	key := cue.Hash.String()
	if n, ok := a.networks[key]; ok {
		return n, nil
	}
	n, err := NetworkAt(c)
	if err != nil {
		return nil, err
	}
	a.networks[key] = n
	return n, nil
}

// commit audits one commit; ok is false when it did not touch the network.
func (a *auditor) commit(c *object.Commit) (Entry, bool) {
	entry := Entry{
		Commit: c.Hash.String(), Author: c.Author.Name, Email: c.Author.Email, Date: c.Author.When.UTC(),
		Summary: strings.SplitN(strings.TrimSpace(c.Message), "\n", 2)[0],
		Source:  "cue-diff",
	}
	paths, err := CommitPaths(c)
	if err != nil {
		entry.Problem = "unreadable commit: " + err.Error()
		entry.Parties = []string{}
		return entry, true
	}
	var network []string
	for _, p := range paths {
		if inNetworkPaths(p) {
			network = append(network, p)
		}
	}
	if len(network) == 0 {
		return entry, false
	}
	parties, err := a.parties(c, network)
	if err != nil {
		entry.Problem = err.Error()
	}
	entry.Parties = parties
	if after, err := a.network(c); err == nil && len(after.Parties) > 0 {
		entry.Digest = Digest(after)
	}
	if trailers := ParseTrailers(c.Message); trailers[TrailerParties] != "" {
		entry.Source = "trailers"
		if d := trailers[TrailerDigest]; d != "" {
			entry.Digest = d
		}
		for _, p := range strings.Split(trailers[TrailerParties], ",") {
			if p = strings.TrimSpace(p); p != "" {
				entry.TrailerParties = append(entry.TrailerParties, p)
			}
		}
		sort.Strings(entry.TrailerParties)
		if !slices.Equal(entry.TrailerParties, entry.Parties) {
			entry.Warning = fmt.Sprintf("the Parties-Changed trailer says %s, the diff changes %s",
				strings.Join(entry.TrailerParties, ","), strings.Join(entry.Parties, ","))
		}
	}
	return entry, true
}

// parties derives the parties a commit touched from its changed paths: owned
// directories and identities by owner (plan.Owners), the rest of cue/ by comparing
// the networks before and after, policies/ and .sops.yaml as every party.
func (a *auditor) parties(c *object.Commit, paths []string) ([]string, error) {
	after, err := a.network(c)
	if err != nil {
		return []string{}, fmt.Errorf("network unreadable: %v", err)
	}
	before := &model.Network{}
	if c.NumParents() > 0 {
		parent, err := c.Parent(0)
		if err != nil {
			return []string{}, err
		}
		if b, err := a.network(parent); err == nil {
			before = b
		}
	}
	set := map[string]bool{}
	everyone := func() {
		for _, n := range []*model.Network{before, after} {
			for name := range n.Parties {
				set[name] = true
			}
		}
	}
	cueChanged := false
	for _, p := range paths {
		owners, all := plan.Owners(p, after, before)
		switch {
		case strings.HasPrefix(p, "cue/") && all:
			cueChanged = true
		case all:
			everyone()
		}
		for _, o := range owners {
			set[o] = true
		}
	}
	if cueChanged {
		changed, err := partiesChanged(before, after)
		if err != nil {
			everyone()
		}
		for _, p := range changed {
			set[p] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// partiesChanged is what a change of cue/ did, by the same comparison as plan.
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
