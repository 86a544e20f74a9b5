package plan

import (
	"fmt"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
)

// ChannelUpdate is a running Fabric channel's pending member or consenter change: the
// unsigned config update generate renders, and the signatures it needs before it
// applies.
type ChannelUpdate struct {
	Channel string `json:"channel"`
	// Change is "add" or "remove" (Party), or "add-consenter" or "remove-consenter"
	// (Node, an orderer of Party).
	Change       string `json:"change"`
	Party        string `json:"party"`
	Node         string `json:"node,omitempty"`
	Organisation string `json:"organisation"`
	// Sequence is the channel's config sequence once the update applies.
	Sequence   uint64              `json:"sequence"`
	Envelope   string              `json:"envelope"`
	Signatures []ChannelSignatures `json:"signatures"`
	// Recorded are the signatures recorded for it that do not count (stale or
	// refused), each with its file and why.
	Recorded []RecordedSignature `json:"recorded,omitempty"`
}

// ChannelSignatures is one policy the update must satisfy: Required of the
// organisations' admins (their SubPolicy) sign.
type ChannelSignatures struct {
	Modifies string   `json:"modifies"`
	Policy   string   `json:"policy"`
	Rule     string   `json:"rule"`
	Required int      `json:"required"`
	Of       []string `json:"of"`
	// SignedBy are the parties whose valid signature is recorded, Missing the others
	// of Of (as parties), More how many more signatures the rule needs.
	SignedBy []string `json:"signedBy"`
	Missing  []string `json:"missing"`
	More     int      `json:"more"`
}

// channelUpdates lists each launched channel's pending member change with the
// signatures it needs, and refuses a channel with more than one change pending
// against its config (the schema refuses it too once the channel's config is
// recorded in cue/channels.cue).
func (p *Plan) channelUpdates(head *model.Network) {
	if head.Fabric == nil {
		return
	}
	for _, name := range head.Fabric.ChannelNames() {
		u, refused := PendingChannelUpdate(head, name)
		p.Refused = append(p.Refused, refused...)
		if u != nil {
			p.ChannelUpdates = append(p.ChannelUpdates, *u)
		}
	}
}

// PendingChannelUpdate is a channel's pending member or consenter change, computed
// from the repository as plan computes it, with the signatures recorded for it (nil
// when nothing is pending), and why plan refuses it, if it does: more than one change
// pending, an update that cannot be computed, a refused signature. status shows the
// same.
func PendingChannelUpdate(head *model.Network, name string) (*ChannelUpdate, []string) {
	changes, err := fabric.PendingChanges(head, name)
	if err != nil {
		return nil, []string{err.Error()}
	}
	if len(changes) > 1 {
		var what []string
		for _, c := range changes {
			what = append(what, c.Kind+" "+c.Subject())
		}
		return nil, []string{fmt.Sprintf("channel %s: %d changes pending against its config (%s): each is a config update signed against the config the chain has, one at a time; record the first on chain (flux-ledger channels record) before the next",
			name, len(changes), strings.Join(what, ", "))}
	}
	u, err := fabric.ChannelUpdate(head, name)
	if err != nil {
		return nil, []string{err.Error()}
	}
	if u == nil {
		return nil, nil
	}
	cu := ChannelUpdate{Channel: name, Change: u.Change.Kind, Party: u.Change.Party, Node: u.Change.Node, Organisation: u.MSPID, Sequence: u.Sequence, Envelope: u.Path}
	sigs, err := fabric.CheckSignatures(head, name, u)
	if err != nil {
		return nil, []string{err.Error()}
	}
	for _, r := range sigs.Progress {
		cu.Signatures = append(cu.Signatures, ChannelSignatures{Modifies: r.Element, Policy: r.Policy, Rule: r.Rule + " " + r.SubPolicy, Required: r.Threshold, Of: r.Orgs,
			SignedBy: r.SignedBy, Missing: r.Missing, More: r.More})
	}
	var refusals Plan
	cu.Recorded = refusals.recordedSignatures(name, u.Path, sigs)
	return &cu, refusals.Refused
}

// channelUpdateLines says, per update, whose signatures it needs.
func (p *Plan) channelUpdateLines() []string {
	var lines []string
	for _, u := range p.ChannelUpdates {
		for _, s := range u.Signatures {
			subject := u.Party
			if u.Node != "" {
				subject = u.Node
			}
			lines = append(lines, fmt.Sprintf("channel %s: %s %s (%s), config sequence %d: %s needs %d of %d admins' signatures (%s, %s): %s; %s",
				u.Channel, u.Change, subject, u.Organisation, u.Sequence, u.Envelope, s.Required, len(s.Of), s.Policy, s.Rule, strings.Join(s.Of, ", "), s.Progress()))
		}
		lines = append(lines, u.recordedLines()...)
	}
	return lines
}
