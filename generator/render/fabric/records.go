package fabric

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
)

// RecordChannel is cue/channels.cue with channel's entry rewritten to what its config
// holds: the config of the config block in from (fetched with `peer channel fetch
// config`), or with no file the frozen genesis block's. The difference between the
// record and the model is the channel's pending change.
func (Platform) RecordChannel(network *model.Network, channel, from string, read func(file string) ([]byte, error)) (*model.ChannelOnChain, platform.Record, error) {
	ch, ok := network.Fabric.Channels[channel]
	if !ok {
		return nil, platform.Record{}, fmt.Errorf("--channel %s: no such channel in fabric.channels", channel)
	}
	if ch.GenesisBlock == "" {
		return nil, platform.Record{}, fmt.Errorf("channel %s is not launched (flux-ledger launch): its config is the model's", channel)
	}
	var config *configtx.Config
	var err error
	if from == "" {
		ch.OnChain = nil // the genesis block's config
		network.Fabric.Channels[channel] = ch
		_, config, _, err = OnChain(network, channel)
		if err != nil {
			return nil, platform.Record{}, err
		}
	} else {
		block, err := read(from)
		if err != nil {
			return nil, platform.Record{}, err
		}
		var id string
		id, config, err = configtx.DecodeConfigBlock(block)
		if err != nil {
			return nil, platform.Record{}, fmt.Errorf("%s: %w", from, err)
		}
		if id != channel {
			return nil, platform.Record{}, fmt.Errorf("%s: a config block of channel %q, not %q", from, id, channel)
		}
		if err := CheckConfigBlock(network, channel, block); err != nil {
			return nil, platform.Record{}, fmt.Errorf("%s: %w", from, err)
		}
		if was := ch.OnChain; was != nil && config.Sequence < was.Sequence {
			return nil, platform.Record{}, fmt.Errorf("%s: config sequence %d is older than the recorded %d (%s)", from, config.Sequence, was.Sequence, platform.ChannelsRecord)
		}
	}
	state, err := StateOf(network, channel, config)
	if err != nil {
		if from != "" {
			return nil, platform.Record{}, fmt.Errorf("%s: %w", from, err)
		}
		return nil, platform.Record{}, err
	}
	records := map[string]model.ChannelOnChain{channel: state}
	for _, name := range network.Fabric.ChannelNames() {
		if c := network.Fabric.Channels[name]; name != channel && c.OnChain != nil {
			records[name] = *c.OnChain
		}
	}
	data, err := channelsRecord(network.Name, network.Fabric.ChannelNames(), records)
	if err != nil {
		return nil, platform.Record{}, err
	}
	return &state, platform.Record{Path: platform.ChannelsRecord, Data: data}, nil
}

// SignChannel signs channel's pending config update as party's admin and returns the
// party's own record of signatures (cue/signatures_<party>.cue), so that each party
// signs where its key lives and commits only its signature. It refuses a channel
// without a pending update, a party whose admins the update does not need, and a key
// that is not the party's admin certificate's.
func (Platform) SignChannel(network *model.Network, channel, party string, adminKey platform.AdminKey) (*platform.Signed, error) {
	if _, ok := network.Fabric.Channels[channel]; !ok {
		return nil, fmt.Errorf("--channel %s: no such channel in fabric.channels", channel)
	}
	p, ok := network.Parties[party]
	if !ok {
		return nil, fmt.Errorf("--party %s: no such party", party)
	}
	u, err := ChannelUpdate(network, channel)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, fmt.Errorf("channel %s has no pending member change to sign: the model's members are the ones the channel's config holds (%s)", channel, platform.ChannelsRecord)
	}
	var needed []string
	for _, r := range u.Requirements {
		needed = append(needed, r.Orgs...)
	}
	if !slices.Contains(needed, p.MSPID) {
		return nil, fmt.Errorf("--party %s: the update %s needs the admins of %s, not %s's (%s)", party, u.Path, strings.Join(slices.Compact(slices.Sorted(slices.Values(needed))), ", "), party, p.MSPID)
	}
	seq := strconv.FormatUint(u.Sequence, 10)
	before, err := CheckSignatures(network, channel, u)
	if err != nil {
		return nil, err
	}
	for _, c := range before.Checks {
		if c.Party == party && c.Valid {
			return &platform.Signed{Update: u.Path, Sequence: u.Sequence, Already: true, Signatures: channelSignatures(before)}, nil
		}
	}

	key, err := adminKey()
	if err != nil {
		return nil, err
	}
	update, err := configtx.EnvelopeConfigUpdate(u.Envelope)
	if err != nil {
		return nil, err
	}
	s, err := configtx.SignConfigUpdate(update, p.MSPID, []byte(network.MSP[party].Admin), key, rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("signing %s: %w", u.Path, err)
	}
	mine := model.ChannelSignature{ConfigUpdate: UpdateDigest(update), ConfigSignature: base64.StdEncoding.EncodeToString(s.Marshal())}

	// The party's file keeps its signatures of the other channels' pending updates
	// and drops those of updates no longer pending.
	keep := map[string]map[string]model.ChannelSignature{channel: {seq: mine}}
	for _, name := range network.Fabric.ChannelNames() {
		if name == channel {
			continue
		}
		other, err := ChannelUpdate(network, name)
		if err != nil || other == nil {
			continue
		}
		k := strconv.FormatUint(other.Sequence, 10)
		if sig, ok := network.Fabric.Channels[name].Signatures[k][party]; ok {
			keep[name] = map[string]model.ChannelSignature{k: sig}
		}
	}
	// Checked as the file will hold them: the party's signatures of updates already
	// recorded (stale) are gone, the other parties' stay.
	ch := network.Fabric.Channels[channel]
	signatures := map[string]map[string]model.ChannelSignature{seq: {party: mine}}
	for k, byParty := range ch.Signatures {
		for signer, sig := range byParty {
			if signer == party {
				continue
			}
			if signatures[k] == nil {
				signatures[k] = map[string]model.ChannelSignature{}
			}
			signatures[k][signer] = sig
		}
	}
	ch.Signatures = signatures
	network.Fabric.Channels[channel] = ch
	after, err := CheckSignatures(network, channel, u)
	if err != nil {
		return nil, err
	}
	for _, c := range after.Checks {
		if c.Party == party && !c.Valid {
			return nil, fmt.Errorf("the new signature does not check: %s%s", c.Refused, c.Stale)
		}
	}

	data, err := signaturesRecord(network.Name, party, keep)
	if err != nil {
		return nil, err
	}
	return &platform.Signed{Update: u.Path, Sequence: u.Sequence, Signatures: channelSignatures(after),
		Record: &platform.Record{Path: SignaturesPath(party), Data: data}}, nil
}

// channelSignatures is each requirement of an update with who satisfies it so far,
// as plan and channels sign show it.
func channelSignatures(sigs *UpdateSignatures) []platform.ChannelSignatures {
	var out []platform.ChannelSignatures
	for _, r := range sigs.Progress {
		out = append(out, platform.ChannelSignatures{Modifies: r.Element, Policy: r.Policy, Rule: r.Rule + " " + r.SubPolicy, Required: r.Threshold, Of: r.Orgs,
			SignedBy: r.SignedBy, Missing: r.Missing, More: r.More})
	}
	return out
}

// signaturesRecord prints cue/signatures_<party>.cue: the party's signature of each
// channel's pending update (channel → sequence → signature).
func signaturesRecord(networkName, party string, sigs map[string]map[string]model.ChannelSignature) ([]byte, error) {
	var channels []any
	for _, name := range slices.Sorted(maps.Keys(sigs)) {
		var seqs []any
		for _, seq := range slices.Sorted(maps.Keys(sigs[name])) {
			s := sigs[name][seq]
			seqs = append(seqs, ast.NewString(seq), ast.NewStruct(ast.NewString(party), ast.NewStruct(
				ast.NewIdent("configUpdate"), ast.NewString(s.ConfigUpdate),
				ast.NewIdent("configSignature"), ast.NewString(s.ConfigSignature),
			)))
		}
		channels = append(channels, ast.NewString(name), ast.NewStruct(ast.NewIdent("signatures"), ast.NewStruct(seqs...)))
	}
	return platform.CUEFile([]string{
		"// Party " + party + "'s admin signatures of the pending config updates of network",
		"// " + networkName + "'s channels (fabric.channels.<channel>.signatures.<sequence>),",
		"// written by `flux-ledger channels sign`. Each is a Fabric ConfigSignature;",
		"// flux-ledger plan checks it against " + party + "'s admin certificate.",
	}, &ast.Field{Label: ast.NewIdent("network"), Value: ast.NewStruct(
		ast.NewIdent("fabric"), ast.NewStruct(ast.NewIdent("channels"), ast.NewStruct(channels...)),
	)})
}
