package plan

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/approval"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Approval is a party whose approval a change needs, and the paths that need it.
type Approval struct {
	Party string   `json:"party"`
	Paths []string `json:"paths"`
	// Reviewers are the party's reviewers (head's, else base's): who approves for it.
	Reviewers []string `json:"reviewers,omitempty"`
	// With --require-approvals (RequireApprovals): approved, missing, no keys or
	// enrolled; the fingerprints of the keys that approved; why none is needed.
	Status string   `json:"status,omitempty"`
	Keys   []string `json:"keys,omitempty"`
	Note   string   `json:"note,omitempty"`
}

// Owners says which parties own a repository path, by where it lies:
//
//	parties/<p>/…                     → p (its sealed keys included)
//	clusters/<c>/…                    → the party owning cluster c
//	cue/identities/<node>.cue         → the party owning the node
//	approvals/<file>                  → nobody: its signature says whose it is
//	any other path                    → every party (everyone = true)
//
// "Any other path" is the rest of cue/, policies/, .sops.yaml, the ownership files
// (CODEOWNERS wherever a host reads it, .azuredevops/, .github/), the CI definitions,
// a Fabric channel's config updates (channels/<ch>/updates/, agreed by every member),
// the code, module.go, README.md, docs/ and examples/: the repository is
// cluster-admin on every party's cluster and CI decides what merges, so no other file
// is nobody's. Ownership is looked up in each of
// nets in turn (head, then base), so a removed node or cluster still has its owner;
// a name found in none falls back to every party.
func Owners(p string, nets ...*model.Network) (parties []string, everyone bool) {
	parts := strings.Split(p, "/")
	switch {
	case parts[0] == "parties" && len(parts) >= 3:
		return []string{parts[1]}, false
	case parts[0] == "clusters" && len(parts) >= 3:
		for _, n := range nets {
			if c, ok := n.Clusters[parts[1]]; ok {
				return []string{c.Party}, false
			}
		}
		return nil, true
	case len(parts) == 3 && parts[0] == "cue" && parts[1] == "identities" && strings.HasSuffix(parts[2], ".cue") && parts[2] != "doc.cue":
		node := strings.TrimSuffix(parts[2], ".cue")
		for _, n := range nets {
			if nd, ok := n.Nodes[node]; ok {
				return []string{nd.Party}, false
			}
		}
		return nil, true
	case parts[0] == approval.Dir && len(parts) == 2:
		// An approval file speaks for its signer and is judged by its signature (and
		// left out of the trees approvals name): adding one needs nobody else.
		return nil, false
	}
	return nil, true
}

// OwnerOnly reports the party whose own signature a change of p needs when signatures
// are required: a node's public identity and a party's sealed keys can be changed by
// their owner only (anyone else could swap a node's key unnoticed).
func OwnerOnly(p string, nets ...*model.Network) (string, bool) {
	parts := strings.Split(p, "/")
	if len(parts) >= 4 && parts[0] == "parties" && parts[2] == "secrets" {
		return parts[1], true
	}
	if len(parts) == 3 && parts[0] == "cue" && parts[1] == "identities" && parts[2] != "doc.cue" {
		if owners, everyone := Owners(p, nets...); !everyone && len(owners) == 1 {
			return owners[0], true
		}
		return "", true // an identity of no known node: nobody's to change alone
	}
	return "", false
}

// AddApprovals fills p.Approvals from the repository paths the change touches (and
// the generated files the plan itself found changed): every party that owns one of
// them must approve.
func (p *Plan) AddApprovals(paths []string, base, head *model.Network) {
	all := map[string]bool{}
	for _, party := range head.PartyNames() {
		all[party] = true
	}
	for _, party := range base.PartyNames() {
		all[party] = true
	}
	byParty := map[string]map[string]bool{}
	add := func(party, why string) {
		if byParty[party] == nil {
			byParty[party] = map[string]bool{}
		}
		byParty[party][why] = true
	}
	for _, f := range paths {
		owners, everyone := Owners(f, head, base)
		if everyone {
			owners = keys(all)
		}
		for _, o := range owners {
			add(o, f)
		}
	}
	for _, c := range p.Changes {
		if c.Kind == "node" && hasField(c.Fields, "identity") {
			add(c.Party, fmt.Sprintf("identity of node %s", c.Name))
		}
	}
	p.ciFiles(paths)
	p.Approvals = []Approval{}
	for _, party := range keys(byParty) {
		reviewers := head.Parties[party].Reviewers
		if _, ok := head.Parties[party]; !ok {
			reviewers = base.Parties[party].Reviewers
		}
		p.Approvals = append(p.Approvals, Approval{Party: party, Paths: keys(byParty[party]), Reviewers: reviewers})
	}
}

func hasField(fields []string, prefix string) bool {
	for _, f := range fields {
		if f == prefix || strings.HasPrefix(f, prefix+".") {
			return true
		}
	}
	return false
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// summarisePaths shortens a list of paths for a terminal: paths under one owned
// directory (parties/<p>, clusters/<c>, policies/parties/<p>) are counted, not listed.
func summarisePaths(paths []string) string {
	counts := map[string]int{}
	var order []string
	for _, p := range paths {
		key := p
		parts := strings.Split(p, "/")
		switch {
		case len(parts) >= 3 && (parts[0] == "parties" || parts[0] == "clusters") && !(parts[0] == "parties" && parts[2] == "secrets"):
			key = path.Join(parts[0], parts[1]) + "/"
		case len(parts) >= 4 && parts[0] == "policies" && parts[1] == "parties":
			key = path.Join(parts[:3]...) + "/"
		}
		if counts[key] == 0 {
			order = append(order, key)
		}
		counts[key]++
	}
	var out []string
	for _, k := range order {
		if strings.HasSuffix(k, "/") {
			out = append(out, fmt.Sprintf("%s (%d files)", k, counts[k]))
		} else {
			out = append(out, k)
		}
	}
	return strings.Join(out, ", ")
}
