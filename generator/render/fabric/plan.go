package fabric

import (
	"fmt"
	"slices"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
)

// Plan is Fabric's section of flux-ledger plan: what would rewrite a launched
// channel's genesis block, what the model cannot change alone, and each running
// channel's pending config update with the signatures it needs.
func (Platform) Plan(base, head *model.Network) platform.Section {
	var s platform.Section
	planChannels(&s, base, head)
	planChannelUpdates(&s, head)
	return s
}

// planChannels refuses what would rewrite a launched channel's genesis block and says
// which changes the model cannot make alone: once a channel runs, its members,
// consenters and their certificates live in the channel's config, which changes only
// by a config update a majority of the channel's Admins sign.
func planChannels(s *platform.Section, base, head *model.Network) {
	if base.Fabric == nil {
		return
	}
	launched := false
	for _, name := range base.Fabric.ChannelNames() {
		launched = launched || base.Fabric.Channels[name].GenesisBlock != ""
	}
	for _, party := range base.PartyNames() {
		was, now := base.Parties[party].MSPID, head.Parties[party].MSPID
		if launched && now != "" && now != was {
			s.Refused = append(s.Refused, fmt.Sprintf("party %s: mspId changes from %s to %s, but the running channels know the organisation as %s (its MSP in their config, every certificate's signer): its orderers and peers would fall out of them",
				party, was, now, was))
		}
	}
	for _, name := range base.Fabric.ChannelNames() {
		was := base.Fabric.Channels[name]
		if was.GenesisBlock == "" {
			continue
		}
		var now model.Channel
		if head.Fabric != nil {
			now = head.Fabric.Channels[name]
		}
		if now.GenesisBlock != was.GenesisBlock {
			s.Refused = append(s.Refused, fmt.Sprintf("channel %s: its frozen genesis block (cue/genesis.cue) changes or is gone: every orderer and peer joined exactly that block, and one that joins another block for the same channel fails on the next block", name))
			continue
		}
		if line := recordMeaning(name, was.OnChain, now.OnChain); line != "" {
			s.Consequences = append(s.Consequences, line)
		}
		if !slices.Equal(sorted(was.Members), sorted(now.Members)) || !slices.Equal(was.Consenters, now.Consenters) {
			s.Consequences = append(s.Consequences, fmt.Sprintf("channel %s runs: its new members or consenters take effect only through a channel config update signed by a majority of its Admins (flux-ledger's docs/platforms/fabric.md › Changing a running channel); the genesis block stays as it is", name))
		}
	}
}

// recordMeaning says what a new record of a channel's config (flux-ledger channels
// record) claims the chain holds: it ends the pending update and lets the next one be
// computed from it, so it is approved only once the chain has it.
func recordMeaning(channel string, was, now *model.ChannelOnChain) string {
	if now == nil || (was != nil && was.Config == now.Config) || (was == nil && now.Sequence == 0) {
		return "" // unchanged, or launch's first record of the genesis config
	}
	var from model.ChannelOnChain
	if was != nil {
		from = *was
	}
	var what []string
	if changed := addedRemoved(from.Members, now.Members); changed != "" {
		what = append(what, "members: "+changed)
	}
	if changed := addedRemoved(from.Consenters, now.Consenters); changed != "" {
		what = append(what, "consenters: "+changed)
	}
	if len(what) == 0 {
		what = append(what, "same members and consenters")
	}
	return fmt.Sprintf("channel %s: cue/channels.cue records the chain's config at sequence %d (was %d; %s): approve only once flux-ledger status or a config block fetched from an orderer shows the channel holds it",
		channel, now.Sequence, from.Sequence, strings.Join(what, "; "))
}

// addedRemoved says what head adds to base and removes from it: "adds a, b and
// removes c", or "" when nothing.
func addedRemoved(base, head []string) string {
	var added, removed []string
	for _, h := range head {
		if !slices.Contains(base, h) {
			added = append(added, h)
		}
	}
	for _, b := range base {
		if !slices.Contains(head, b) {
			removed = append(removed, b)
		}
	}
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "adds "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		parts = append(parts, "removes "+strings.Join(removed, ", "))
	}
	return strings.Join(parts, " and ")
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

// planChannelUpdates lists each launched channel's pending member change with the
// signatures it needs, and refuses a channel with more than one change pending
// against its config (the schema refuses it too once the channel's config is
// recorded in cue/channels.cue).
func planChannelUpdates(s *platform.Section, head *model.Network) {
	if head.Fabric == nil {
		return
	}
	for _, name := range head.Fabric.ChannelNames() {
		u, refused := PendingChannelUpdate(head, name)
		s.Refused = append(s.Refused, refused...)
		if u != nil {
			s.ChannelUpdates = append(s.ChannelUpdates, *u)
		}
	}
}

// PendingChannelUpdate is a channel's pending change as plan computes it, with the
// signatures recorded for it (nil when nothing is pending), and why plan refuses it, if
// it does: more than one change pending, an update that cannot be computed, a refused
// signature. status shows the same.
func (Platform) PendingChannelUpdate(head *model.Network, name string) (*platform.ChannelUpdate, []string) {
	return PendingChannelUpdate(head, name)
}

// PendingChannelUpdate is Platform.PendingChannelUpdate.
func PendingChannelUpdate(head *model.Network, name string) (*platform.ChannelUpdate, []string) {
	changes, err := PendingChanges(head, name)
	if err != nil {
		return nil, []string{err.Error()}
	}
	if len(changes) > 1 {
		return nil, []string{fmt.Sprintf("channel %s: %d changes pending against its config (%s): each is a config update signed against the config the chain has, one at a time; record the first on chain (flux-ledger channels record) before the next",
			name, len(changes), describe(changes))}
	}
	u, err := ChannelUpdate(head, name)
	if err != nil {
		return nil, []string{err.Error()}
	}
	if u == nil {
		return nil, nil
	}
	cu := platform.ChannelUpdate{Channel: name, Change: u.Change.Kind, Party: u.Change.Party, Node: u.Change.Node, Organisation: u.MSPID, Sequence: u.Sequence, Envelope: u.Path}
	sigs, err := CheckSignatures(head, name, u)
	if err != nil {
		return nil, []string{err.Error()}
	}
	var refusals platform.Section
	cu.Signatures = channelSignatures(sigs)
	cu.Recorded = recordedSignatures(&refusals, name, u.Path, sigs)
	return &cu, refusals.Refused
}

// recordedSignatures lists the signatures that do not count and refuses the plan for
// each refused one, naming its file and party: a signature from a key that is not
// the party's admin is someone signing in another's name.
func recordedSignatures(s *platform.Section, channel, envelope string, sigs *UpdateSignatures) []platform.RecordedSignature {
	var out []platform.RecordedSignature
	for _, c := range sigs.Checks {
		switch {
		case c.Refused != "":
			out = append(out, platform.RecordedSignature{Party: c.Party, File: c.File, State: "refused", Reason: c.Refused})
			s.Refused = append(s.Refused, fmt.Sprintf("channel %s: %s: party %s's signature of %s is refused: %s; remove it (the party signs again with flux-ledger channels sign)",
				channel, c.File, c.Party, envelope, c.Refused))
		case c.Stale != "":
			out = append(out, platform.RecordedSignature{Party: c.Party, File: c.File, State: "stale", Reason: c.Stale})
		}
	}
	return out
}
