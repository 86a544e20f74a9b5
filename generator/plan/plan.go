// Package plan tells a reviewer what a topology change does: which parties, clusters
// and nodes are added, removed or changed (and which fields), how many generated files
// change in each directory, and the consequences that need more than a merge — a
// genesis change, a validator vote, secrets to re-encrypt.
package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"reflect"
	"sort"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/approval"
	"github.com/flux-ledger/flux-ledger/generator/graph"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
	"github.com/flux-ledger/flux-ledger/generator/rollout"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// Change is one entity that differs between base and head.
type Change struct {
	Kind   string   `json:"kind"` // party, cluster, node
	Name   string   `json:"name"`
	Action string   `json:"action"` // added, removed, changed
	Party  string   `json:"party"`
	Fields []string `json:"fields,omitempty"`
}

// Plan is the reviewer's summary of base → head. Its JSON form is the stable schema of
// `flux-ledger plan --output json` (documented in docs/reviewers.md).
type Plan struct {
	Base         string            `json:"base"`
	Changes      []Change          `json:"changes"`
	Consensus    []string          `json:"consensus,omitempty"`
	Files        []tree.DirSummary `json:"files"`
	Consequences []string          `json:"consequences"`
	// Refused lists why the change must not be merged as it is.
	Refused []string `json:"refused"`
	// PartiesChanged are the parties whose directory or topology changes.
	PartiesChanged []string `json:"partiesChanged"`
	// Governance lists the validator changes pending at head, step by step.
	Governance []GovernanceStep `json:"governance,omitempty"`
	// Approvals are the parties that must approve, from the paths the change touches
	// (see Owners); filled by AddApprovals.
	Approvals []Approval `json:"approvals,omitempty"`
	// ApprovalFiles are the verdicts on the approval files the change brings, with
	// --require-approvals (RequireApprovals).
	ApprovalFiles []approval.Verdict `json:"approvalFiles,omitempty"`
	// Restarts are the nodes whose pods the change replaces, against what the chain
	// tolerates down at once.
	Restarts *rollout.Restarts `json:"restarts,omitempty"`
	// ChannelUpdates are the Fabric channel config updates pending at head.
	ChannelUpdates []ChannelUpdate `json:"channelUpdates,omitempty"`

	// picture is the topology after the change, marked (see diagram): the Mermaid
	// diagram of the markdown output, not part of the JSON schema.
	picture *graph.Graph
}

// Compute compares two networks. base is the revision's label (for the output).
func Compute(baseRev string, base, head *model.Network) (*Plan, error) {
	p := &Plan{Base: baseRev, Changes: []Change{}, Files: []tree.DirSummary{}, Consequences: []string{}, Refused: []string{}, PartiesChanged: []string{}}
	p.Changes = append(p.Changes, diffEntities("party", base.Parties, head.Parties, func(v model.Party) string { return v.Name })...)
	p.Changes = append(p.Changes, diffEntities("cluster", base.Clusters, head.Clusters, func(v model.Cluster) string { return v.Party })...)
	p.Changes = append(p.Changes, diffNodes(base, head)...)
	p.Consensus = changedFields(base.Consensus, head.Consensus)
	if err := p.diagram(base, head); err != nil {
		return nil, err
	}

	baseTree, err := render.Render(base)
	if err != nil {
		return nil, fmt.Errorf("render base: %w", err)
	}
	headTree, err := render.Render(head)
	if err != nil {
		return nil, fmt.Errorf("render head: %w", err)
	}
	p.Files = tree.Summarise(tree.Compare(baseTree, headTree))
	if err := p.consequences(base, head, baseTree, headTree); err != nil {
		return nil, err
	}
	p.sharedSettings(base, head)
	if err := p.restarts(base, head); err != nil {
		return nil, err
	}
	if err := p.governance(base, head); err != nil {
		return nil, err
	}
	p.nodesChangingHands(base, head)
	p.topologyMeaning(base, head)
	p.shareMeaning(base, head)
	p.transitions(base, head)
	if err := p.platformSections(base, head); err != nil {
		return nil, err
	}

	parties := map[string]bool{}
	for _, c := range p.Changes {
		parties[c.Party] = true
	}
	for _, f := range p.Files {
		if party, ok := strings.CutPrefix(f.Dir, "parties/"); ok {
			parties[party] = true
		}
	}
	for party := range parties {
		p.PartiesChanged = append(p.PartiesChanged, party)
	}
	sort.Strings(p.PartiesChanged)
	return p, nil
}

// diffNodes compares nodes with their public identities: a node whose key was
// replaced is a change of that node (field identity.address / identity.publicKey),
// attributed to the party that owns it — a replaced key is invisible in the topology
// but changes who can act as the node.
func diffNodes(base, head *model.Network) []Change {
	type nodeWithIdentity struct {
		model.Node
		Identity *model.Identity `json:"identity,omitempty"`
	}
	with := func(n *model.Network) map[string]nodeWithIdentity {
		out := make(map[string]nodeWithIdentity, len(n.Nodes))
		for name, node := range n.Nodes {
			v := nodeWithIdentity{Node: node}
			if id, ok := n.Identities[name]; ok {
				v.Identity = &id
			}
			out[name] = v
		}
		return out
	}
	return diffEntities("node", with(base), with(head), func(v nodeWithIdentity) string { return v.Party })
}

func diffEntities[V any](kind string, base, head map[string]V, party func(V) string) []Change {
	var out []Change
	for _, name := range sortedKeys(base, head) {
		b, inBase := base[name]
		h, inHead := head[name]
		switch {
		case !inBase:
			out = append(out, Change{Kind: kind, Name: name, Action: "added", Party: party(h)})
		case !inHead:
			out = append(out, Change{Kind: kind, Name: name, Action: "removed", Party: party(b)})
		default:
			if fields := changedFields(b, h); len(fields) > 0 {
				out = append(out, Change{Kind: kind, Name: name, Action: "changed", Party: party(h), Fields: fields})
			}
		}
	}
	return out
}

// changedFields lists the dotted JSON paths whose values differ.
func changedFields(base, head any) []string {
	var b, h map[string]any
	roundTrip(base, &b)
	roundTrip(head, &h)
	var out []string
	walkDiff("", b, h, &out)
	sort.Strings(out)
	return out
}

func walkDiff(prefix string, b, h map[string]any, out *[]string) {
	for _, k := range sortedKeys(b, h) {
		bv, hv := b[k], h[k]
		bm, bIsMap := bv.(map[string]any)
		hm, hIsMap := hv.(map[string]any)
		if bIsMap && hIsMap {
			walkDiff(prefix+k+".", bm, hm, out)
			continue
		}
		if !reflect.DeepEqual(bv, hv) {
			*out = append(*out, prefix+k)
		}
	}
}

func roundTrip(v any, into *map[string]any) {
	data, _ := json.Marshal(v)
	_ = json.Unmarshal(data, into) // JSON that json.Marshal wrote
}

// consequences says what the rendered change does that a merge alone does not show.
// A change of block 0 in every party's genesis (a platform.Genesis, as base has it) is
// refused once the network is launched.
func (p *Plan) consequences(base, head *model.Network, baseTree, headTree tree.Tree) error {
	ledger, err := render.PlatformOf(base)
	if err != nil {
		return err
	}
	genesis, _ := ledger.(platform.Genesis)
	genesisChanged, configChanged, peersChanged := false, false, 0
	for _, party := range head.PartyNames() {
		// Every party carries the same genesis bytes: classify the change once.
		if genesis != nil {
			g := path.Join("parties", party, genesis.GenesisFile())
			if _, ok := baseTree[g]; ok && !genesisChanged && !configChanged && !bytes.Equal(baseTree[g], headTree[g]) {
				was, errWas := genesis.BlockZero(baseTree[g])
				now, errNow := genesis.BlockZero(headTree[g])
				if errWas != nil || errNow != nil || was != now {
					genesisChanged = true
				} else {
					configChanged = true
				}
			}
		}
		peers := path.Join("parties", party, "shared", "peers.yaml")
		if _, ok := baseTree[peers]; ok && !bytes.Equal(baseTree[peers], headTree[peers]) {
			peersChanged++
		}
	}
	switch {
	case genesisChanged && base.Launched:
		p.Refused = append(p.Refused, "genesis block would change, but the network is launched: its genesis is frozen (validators change by vote or transition, see Governance)")
	case genesisChanged:
		p.Consequences = append(p.Consequences, "genesis changes in every party (the network is not launched yet: nodes start from the new genesis)")
	case configChanged:
		p.Consequences = append(p.Consequences, "genesis config gains a validator transition (block 0 unchanged)")
	}
	if peersChanged > 0 {
		p.Consequences = append(p.Consequences, fmt.Sprintf("peer lists updated in %d parties", peersChanged))
	}
	for _, name := range head.PartyNames() {
		if b, ok := base.Parties[name]; ok && !sameSet(b.Recipients, head.Parties[name].Recipients) {
			p.Consequences = append(p.Consequences, fmt.Sprintf("secrets of party %s must be re-encrypted to its new recipients: flux-ledger keys rewrap --party %s", name, name))
		}
	}
	for _, name := range head.NodeNames() {
		if _, ok := head.Identities[name]; !ok {
			p.Refused = append(p.Refused, fmt.Sprintf("node %s has no identity: flux-ledger keys init --party %s", name, head.Nodes[name].Party))
		}
	}
	return nil
}

// platformSections adds the section of each ledger of base and head that has one
// (platform.Planner): Fabric's channels and their pending config updates.
func (p *Plan) platformSections(base, head *model.Network) error {
	names := []string{base.Platform}
	if head.Platform != base.Platform {
		names = append(names, head.Platform)
	}
	for _, name := range names {
		ledger, ok := render.Platforms[name]
		if !ok {
			return fmt.Errorf("platform %q has no renderer", name)
		}
		planner, ok := ledger.(platform.Planner)
		if !ok {
			continue
		}
		s := planner.Plan(base, head)
		p.Consequences = append(p.Consequences, s.Consequences...)
		p.Refused = append(p.Refused, s.Refused...)
		p.ChannelUpdates = append(p.ChannelUpdates, s.ChannelUpdates...)
	}
	return nil
}

func sameSet(a, b []string) bool {
	x, y := append([]string{}, a...), append([]string{}, b...)
	sort.Strings(x)
	sort.Strings(y)
	return reflect.DeepEqual(x, y)
}

func sortedKeys[V any](maps ...map[string]V) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range maps {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}
