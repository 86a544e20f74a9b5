package gitops

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/plan"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// OwnerSignatures checks, when signatures are required, that every commit from head
// back to base (first parents, base excluded) that changes something one party alone
// may change is signed by a key of that party. What a commit changes is what differs
// from its first parent:
//
//   - by meaning, wherever in cue/ it is written: a node's public identity, a party's
//     MSP material, its entry in parties (recipients, reviewers, …) and its clusters,
//     every field (plan.OwnedChanges, between the networks at the two commits);
//   - by path: a party's sealed keys (parties/<p>/secrets/), a node's identity file
//     (cue/identities/<node>.cue), and every file under parties/<p>/ or a cluster's
//     clusters/<c>/ that is not what generate renders from the commit's network —
//     always clusters/<c>/flux-system/'s gotk files, which `flux bootstrap` writes.
//
// keyrings maps a party to its armored OpenPGP public keys; nets (head, then base)
// name the owners of paths. It returns one refusal per offending commit and field.
func OwnerSignatures(repo *git.Repository, base, head *object.Commit, keyrings map[string]string, nets ...*model.Network) ([]string, error) {
	s := &signatures{keyrings: keyrings, nets: nets, networks: &auditor{networks: map[string]*model.Network{}}, desired: map[*model.Network]tree.Tree{}}
	var refused []string
	c := head
	for n := 0; c != nil && c.Hash != base.Hash; n++ {
		if n > 100000 {
			return nil, fmt.Errorf("base %s is not an ancestor of HEAD along first parents", base.Hash.String()[:12])
		}
		refused = append(refused, s.commit(c)...)
		if c.NumParents() == 0 {
			break
		}
		var err error
		if c, err = c.Parent(0); err != nil {
			return nil, err
		}
	}
	return refused, nil
}

type signatures struct {
	keyrings map[string]string
	nets     []*model.Network
	networks *auditor
	desired  map[*model.Network]tree.Tree
}

// commit checks one commit against its first parent.
func (s *signatures) commit(c *object.Commit) []string {
	short := c.Hash.String()[:12]
	paths, err := CommitPaths(c)
	if err != nil {
		return []string{fmt.Sprintf("commit %s: unreadable (%v): cannot check whose change it is", short, err)}
	}
	var refused []string
	verdict := map[string]string{}
	signedBy := func(party string) string {
		v, done := verdict[party]
		if !done {
			v = ownerSignature(c, party, s.keyrings[party])
			verdict[party] = v
		}
		return v
	}
	refuse := func(what, action, party string) {
		if v := signedBy(party); v != "" {
			refused = append(refused, fmt.Sprintf("%s (party %s) %s in commit %s not signed by %s: %s", what, party, action, short, party, v))
		}
	}
	for _, p := range paths {
		party, ownerOnly := plan.OwnerOnly(p, s.nets...)
		switch {
		case !ownerOnly:
		case party == "":
			refused = append(refused, fmt.Sprintf("commit %s changes %s, an identity of no known node", short, p))
		case signedBy(party) != "":
			refused = append(refused, fmt.Sprintf("commit %s changes %s (party %s's) but %s", short, p, party, signedBy(party)))
		}
	}
	if !touches(paths, "cue", "parties", "clusters") {
		return refused
	}
	after, err := s.networks.network(c)
	if err != nil {
		return append(refused, fmt.Sprintf("commit %s: the network does not load (%v): cannot tell whose things it changes", short, err))
	}
	before := &model.Network{}
	if c.NumParents() > 0 {
		parent, err := c.Parent(0)
		if err == nil {
			before, err = s.networks.network(parent)
		}
		if err != nil {
			return append(refused, fmt.Sprintf("commit %s: its parent's network does not load (%v): cannot tell whose things it changes", short, err))
		}
	}
	if touches(paths, "cue") {
		for _, o := range plan.OwnedChanges(before, after) {
			if len(o.Parties) == 0 {
				refused = append(refused, fmt.Sprintf("commit %s changes %s, an identity of no known node", short, o.Field))
			}
			for _, party := range o.Parties {
				refuse(o.Field, o.Action, party)
			}
		}
	}
	t, err := c.Tree()
	if err != nil {
		return append(refused, fmt.Sprintf("commit %s: unreadable (%v): cannot check whose change it is", short, err))
	}
	for _, p := range paths {
		party := s.ownerOfFile(p, after, before)
		if party == "" {
			continue
		}
		var data []byte
		present := false
		if f, err := t.File(p); err == nil {
			if content, err := f.Contents(); err == nil {
				data, present = []byte(content), true
			}
		}
		if !s.generated(p, data, present, after) {
			refuse(p, "changed", party)
		}
	}
	return refused
}

// ownerOfFile is the party that alone may change p unless generate renders it:
// files under parties/<p>/ (but its secrets/, checked by path) and under the
// clusters/<c>/ of a known cluster; "" for any other path.
func (s *signatures) ownerOfFile(p string, nets ...*model.Network) string {
	parts := strings.Split(p, "/")
	if len(parts) < 3 || (parts[0] != "parties" && parts[0] != "clusters") || (parts[0] == "parties" && parts[2] == "secrets") {
		return ""
	}
	all := append(append([]*model.Network{}, nets...), s.nets...)
	owners, everyone := plan.Owners(p, all...)
	if everyone || len(owners) != 1 {
		return ""
	}
	for _, n := range all {
		if _, ok := n.Parties[owners[0]]; ok {
			return owners[0]
		}
	}
	return ""
}

// generated reports whether data (present or not) at p is exactly what generate
// writes for network there. Seeded files never are: flux bootstrap replaces them.
func (s *signatures) generated(p string, data []byte, present bool, network *model.Network) bool {
	if render.Seeded(p) {
		return false
	}
	desired, ok := s.desired[network]
	if !ok {
		var err error
		if desired, err = render.Desired(network); err != nil {
			desired = nil // unrenderable: nothing in it is generate's
		}
		s.desired[network] = desired
	}
	if desired == nil {
		return false
	}
	want, rendered := desired[p]
	return rendered == present && bytes.Equal(want, data)
}

// touches reports whether any of paths lies under one of the top-level directories.
func touches(paths []string, tops ...string) bool {
	for _, p := range paths {
		for _, top := range tops {
			if strings.HasPrefix(p, top+"/") {
				return true
			}
		}
	}
	return false
}

// UncommittedOwned lists what the working directory dir changes against head among
// the things one party alone may change (see OwnerSignatures): uncommitted, a change
// carries no signature. paths are the changed paths (ChangedPaths(head, dir)); after
// is the network in dir, nets (head, then base) name the owners of paths.
func UncommittedOwned(head *object.Commit, dir string, paths []string, after *model.Network, nets ...*model.Network) []string {
	const unsigned = "has an uncommitted change, which carries no signature: commit it signed"
	var refused []string
	for _, f := range paths {
		if party, ownerOnly := plan.OwnerOnly(f, append([]*model.Network{after}, nets...)...); ownerOnly {
			refused = append(refused, fmt.Sprintf("%s (party %s's) %s", f, party, unsigned))
		}
	}
	if touches(paths, "cue") {
		committed, err := NetworkAt(head)
		if err != nil {
			return append(refused, fmt.Sprintf("the network at HEAD does not load (%v): cannot tell whose things the uncommitted change changes", err))
		}
		for _, o := range plan.OwnedChanges(committed, after) {
			for _, party := range o.Parties {
				refused = append(refused, fmt.Sprintf("%s (party %s) %s", o.Field, party, unsigned))
			}
		}
	}
	s := &signatures{nets: nets, desired: map[*model.Network]tree.Tree{}}
	for _, f := range paths {
		party := s.ownerOfFile(f, after)
		if party == "" {
			continue
		}
		data, err := tree.ReadInput(dir, f)
		if !s.generated(f, data, err == nil, after) {
			refused = append(refused, fmt.Sprintf("%s (party %s) %s", f, party, unsigned))
		}
	}
	return refused
}

// ownerSignature is "" when c is signed by a key of party's keyring, else why not.
func ownerSignature(c *object.Commit, party, keyring string) string {
	switch {
	case keyring == "":
		return fmt.Sprintf("no keyring is given for party %s (--keyring %s=FILE)", party, party)
	case c.PGPSignature == "":
		return "it is unsigned"
	}
	if _, err := c.Verify(keyring); err != nil {
		return fmt.Sprintf("its signature is not by a %s key (%v)", party, err)
	}
	return ""
}
