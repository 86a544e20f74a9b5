package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// fabricChannels refuses what would rewrite a launched Fabric channel's genesis block
// and says which changes the model cannot make alone: once a channel runs, its
// members, consenters and their certificates live in the channel's config, which
// changes only by a config update a majority of the channel's Admins sign.
func (p *Plan) fabricChannels(base, head *model.Network) {
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
			p.Refused = append(p.Refused, fmt.Sprintf("party %s: mspId changes from %s to %s, but the running channels know the organisation as %s (its MSP in their config, every certificate's signer): its orderers and peers would fall out of them",
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
			p.Refused = append(p.Refused, fmt.Sprintf("channel %s: its frozen genesis block (cue/genesis.cue) changes or is gone: every orderer and peer joined exactly that block, and one that joins another block for the same channel fails on the next block", name))
			continue
		}
		if line := recordMeaning(name, was.OnChain, now.OnChain); line != "" {
			p.Consequences = append(p.Consequences, line)
		}
		if !slices.Equal(sorted(was.Members), sorted(now.Members)) || !slices.Equal(was.Consenters, now.Consenters) {
			p.Consequences = append(p.Consequences, fmt.Sprintf("channel %s runs: its new members or consenters take effect only through a channel config update signed by a majority of its Admins (README › Fabric › Changing a running channel); the genesis block stays as it is", name))
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
	if added, removed := setDiff(from.Members, now.Members); len(added)+len(removed) > 0 {
		what = append(what, "members: "+addedRemoved(added, removed))
	}
	if added, removed := setDiff(from.Consenters, now.Consenters); len(added)+len(removed) > 0 {
		what = append(what, "consenters: "+addedRemoved(added, removed))
	}
	if len(what) == 0 {
		what = append(what, "same members and consenters")
	}
	return fmt.Sprintf("channel %s: cue/channels.cue records the chain's config at sequence %d (was %d; %s): approve only once flux-ledger status or a config block fetched from an orderer shows the channel holds it",
		channel, now.Sequence, from.Sequence, strings.Join(what, "; "))
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }
