package plan

import (
	"sort"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Owned is a change to something of the model that its party alone may change when
// signatures are required, wherever in cue/ the change is written.
type Owned struct {
	// Field is the dotted path in the network: identities.beta-v1.address,
	// msp.beta.caCert, parties.beta.recipients, clusters.beta-onprem.exposure.mode;
	// the entry itself (identities.beta-v1) when it is added or removed.
	Field  string
	Action string // added, removed, changed
	// Parties own the field: one, or two when a cluster or node changes hands (both
	// the party that had it and the party that gets it).
	Parties []string
}

// OwnedChanges compares base and head on what belongs to one party, by meaning rather
// than by file: each node's public identity (Besu key, Fabric signing and TLS
// certificates) belongs to the node's party, each party's MSP material and its entry
// in parties (recipients, reviewers, MSP ID, namespace, …) to that party, and each
// cluster, every field, to the party it belongs to; a node moved to another party's
// cluster belongs to both. Everything else — nodes' topology, consensus, governance,
// channels, compliance — is shared and not listed.
// An identity of a node in neither network has no owner (Parties is empty).
func OwnedChanges(base, head *model.Network) []Owned {
	var out []Owned
	nodeOwners := func(name string) []string {
		return owners(base.Nodes[name].Party, head.Nodes[name].Party)
	}
	out = append(out, diffOwned("identities", base.Identities, head.Identities, func(name string, _ model.Identity) []string { return nodeOwners(name) })...)
	// A node that changes hands would take its slot (a validator's vote) with it, and
	// its next identity would be the new owner's alone: both parties must agree.
	for _, name := range sortedKeys(base.Nodes, head.Nodes) {
		b, inBase := base.Nodes[name]
		h, inHead := head.Nodes[name]
		if inBase && inHead && b.Party != h.Party {
			out = append(out, Owned{Field: "nodes." + name + ".party", Action: "changed", Parties: owners(b.Party, h.Party)})
		}
	}
	out = append(out, diffOwned("msp", base.MSP, head.MSP, func(name string, _ model.OrgIdentity) []string { return []string{name} })...)
	out = append(out, diffOwned("parties", base.Parties, head.Parties, func(name string, _ model.Party) []string { return []string{name} })...)
	out = append(out, diffOwned("clusters", base.Clusters, head.Clusters, func(name string, _ model.Cluster) []string {
		return owners(base.Clusters[name].Party, head.Clusters[name].Party)
	})...)
	return out
}

func diffOwned[V any](kind string, base, head map[string]V, owner func(string, V) []string) []Owned {
	var out []Owned
	for _, name := range sortedKeys(base, head) {
		b, inBase := base[name]
		h, inHead := head[name]
		entry := kind + "." + name
		switch {
		case !inBase:
			out = append(out, Owned{Field: entry, Action: "added", Parties: owner(name, h)})
		case !inHead:
			out = append(out, Owned{Field: entry, Action: "removed", Parties: owner(name, b)})
		default:
			for _, f := range changedFields(b, h) {
				out = append(out, Owned{Field: entry + "." + f, Action: "changed", Parties: owner(name, h)})
			}
		}
	}
	return out
}

// owners is the set of non-empty party names among names, sorted.
func owners(names ...string) []string {
	set := map[string]bool{}
	for _, n := range names {
		if n != "" {
			set[n] = true
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
