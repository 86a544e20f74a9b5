package gitops

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flux-ledger/flux-ledger/generator/approval"
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
	// DatedBeforeParent is set when the commit's author or committer date is earlier
	// than its parent's: anyone can write any date, and a back-dated commit is how one
	// would hide from --since.
	DatedBeforeParent string `json:"datedBeforeParent,omitempty"`
	// Approvals are the verdicts on the approval files the commit brought (against its
	// first parent), as approvals of the change parent → commit, verified with the
	// approval keys of the network at the parent.
	Approvals []approval.Verdict `json:"approvals,omitempty"`
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
//
// Since filters, it never stops the walk: dates are whatever the committer wrote, so a
// commit counts as no older than its newest ancestor, and one back-dated commit can
// hide neither itself nor the history behind it.
func Audit(repo *git.Repository, opts AuditOptions) ([]Entry, error) {
	head, err := Resolve(repo, "HEAD")
	if err != nil {
		return nil, err
	}
	iter, err := repo.Log(&git.LogOptions{From: head.Hash, Order: git.LogOrderCommitterTime})
	if err != nil {
		return nil, err
	}
	var commits []*object.Commit
	if err := iter.ForEach(func(c *object.Commit) error {
		commits = append(commits, c)
		return nil
	}); err != nil {
		return nil, err
	}
	dates := newestAncestorDates(commits)
	a := &auditor{networks: map[string]*model.Network{}}
	var entries []Entry
	for _, c := range commits {
		if !opts.Since.IsZero() && dates[c.Hash].Before(opts.Since) {
			continue
		}
		entry, ok := a.commit(c)
		if !ok {
			continue
		}
		if opts.Party != "" && entry.Problem == "" && !slices.Contains(entry.Parties, opts.Party) {
			continue
		}
		if opts.VerifySignatures {
			entry.Signature = signature(c, opts.Keyring)
		}
		entry.DatedBeforeParent = datedBeforeParent(c)
		entry.Approvals = a.approvals(c)
		entries = append(entries, entry)
	}
	return entries, nil
}

// newestAncestorDates gives every commit the latest committer date among itself and
// its ancestors: the date --since compares.
func newestAncestorDates(commits []*object.Commit) map[plumbing.Hash]time.Time {
	byHash := make(map[plumbing.Hash]*object.Commit, len(commits))
	for _, c := range commits {
		byHash[c.Hash] = c
	}
	dates := make(map[plumbing.Hash]time.Time, len(commits))
	// Depth-first, parents before children, without recursion: a long history must not
	// grow the stack.
	for _, start := range commits {
		stack := []plumbing.Hash{start.Hash}
		for len(stack) > 0 {
			h := stack[len(stack)-1]
			if _, done := dates[h]; done {
				stack = stack[:len(stack)-1]
				continue
			}
			c := byHash[h]
			pending := false
			for _, p := range c.ParentHashes {
				if _, done := dates[p]; !done && byHash[p] != nil {
					stack = append(stack, p)
					pending = true
				}
			}
			if pending {
				continue
			}
			d := c.Committer.When
			for _, p := range c.ParentHashes {
				if pd, ok := dates[p]; ok && pd.After(d) {
					d = pd
				}
			}
			dates[h] = d
			stack = stack[:len(stack)-1]
		}
	}
	return dates
}

// datedBeforeParent says when c claims to be older than one of its parents.
func datedBeforeParent(c *object.Commit) string {
	var out []string
	_ = c.Parents().ForEach(func(p *object.Commit) error {
		short := p.Hash.String()[:12]
		if c.Committer.When.Before(p.Committer.When) {
			out = append(out, fmt.Sprintf("committer date %s is before parent %s's %s",
				c.Committer.When.UTC().Format(time.RFC3339), short, p.Committer.When.UTC().Format(time.RFC3339)))
		}
		if c.Author.When.Before(p.Author.When) {
			out = append(out, fmt.Sprintf("author date %s is before parent %s's %s",
				c.Author.When.UTC().Format(time.RFC3339), short, p.Author.When.UTC().Format(time.RFC3339)))
		}
		return nil
	})
	return strings.Join(out, "; ")
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
		return []string{}, fmt.Errorf("network unreadable: %w", err)
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

// approvals judges the approval files c brought as approvals of the change from its
// first parent to c, with the keys of the network at the parent.
func (a *auditor) approvals(c *object.Commit) []approval.Verdict {
	if c.NumParents() == 0 {
		return nil
	}
	parent, err := c.Parent(0)
	if err != nil {
		return nil
	}
	files, err := ApprovalFilesAt(c)
	if err != nil || len(files) == 0 {
		return nil
	}
	before, err := a.network(parent)
	if err != nil {
		return []approval.Verdict{{File: approval.Dir, Problem: fmt.Sprintf("the network at the parent does not load (%v): no keys to verify with", err)}}
	}
	verdicts, err := Approvals(parent, c, before)
	if err != nil {
		return []approval.Verdict{{File: approval.Dir, Problem: err.Error()}}
	}
	return verdicts
}
