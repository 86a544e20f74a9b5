package launch

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	"filippo.io/age"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// SignResult is what SignChannel did: the update signed, the files written (none
// when the party's valid signature was already recorded) and the update's
// signatures as plan counts them afterwards.
type SignResult struct {
	Update     *fabric.Update
	Written    []string
	Already    bool
	Signatures *fabric.UpdateSignatures
}

// SignChannel signs channel's pending config update as party's admin, with the admin
// key sealed in the party's own msp-admin Secret, opened in memory with ids, and
// records the signature in the party's own file (cue/signatures_<party>.cue), so that
// each party signs where its key lives and commits only its signature. It refuses a
// channel without a pending update, a party whose admins the update does not need, and
// a sealed key that is not the party's admin certificate's.
func SignChannel(repo, channel, party string, ids []age.Identity) (*SignResult, error) {
	loaded, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		return nil, err
	}
	network := loaded.Network
	if !network.IsFabric() {
		return nil, fmt.Errorf("network %s runs %s: channels are Fabric's", network.Name, network.Platform)
	}
	if _, ok := network.Fabric.Channels[channel]; !ok {
		return nil, fmt.Errorf("--channel %s: no such channel in fabric.channels", channel)
	}
	p, ok := network.Parties[party]
	if !ok {
		return nil, fmt.Errorf("--party %s: no such party", party)
	}
	u, err := fabric.ChannelUpdate(network, channel)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, fmt.Errorf("channel %s has no pending member change to sign: the model's members are the ones the channel's config holds (%s)", channel, ChannelsRecord)
	}
	var needed []string
	for _, r := range u.Requirements {
		needed = append(needed, r.Orgs...)
	}
	if !slices.Contains(needed, p.MSPID) {
		return nil, fmt.Errorf("--party %s: the update %s needs the admins of %s, not %s's (%s)", party, u.Path, strings.Join(slices.Compact(slices.Sorted(slices.Values(needed))), ", "), party, p.MSPID)
	}
	seq := strconv.FormatUint(u.Sequence, 10)
	before, err := fabric.CheckSignatures(network, channel, u)
	if err != nil {
		return nil, err
	}
	for _, c := range before.Checks {
		if c.Party == party && c.Valid {
			return &SignResult{Update: u, Already: true, Signatures: before}, nil
		}
	}

	key, err := keys.AdminKey(repo, network, party, ids)
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
	mine := model.ChannelSignature{ConfigUpdate: fabric.UpdateDigest(update), ConfigSignature: base64.StdEncoding.EncodeToString(s.Marshal())}

	// The party's file keeps its signatures of the other channels' pending updates
	// and drops those of updates no longer pending.
	keep := map[string]map[string]model.ChannelSignature{channel: {seq: mine}}
	for _, name := range network.Fabric.ChannelNames() {
		if name == channel {
			continue
		}
		other, err := fabric.ChannelUpdate(network, name)
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
	after, err := fabric.CheckSignatures(network, channel, u)
	if err != nil {
		return nil, err
	}
	for _, c := range after.Checks {
		if c.Party == party && !c.Valid {
			return nil, fmt.Errorf("the new signature does not check: %s%s", c.Refused, c.Stale)
		}
	}

	data, err := signaturesFile(network.Name, party, keep)
	if err != nil {
		return nil, err
	}
	written, err := tree.WriteChanged(repo, tree.Tree{fabric.SignaturesPath(party): data}, LockTimeout)
	if err != nil {
		return nil, err
	}
	return &SignResult{Update: u, Written: written, Signatures: after}, nil
}

// signaturesFile prints cue/signatures_<party>.cue: the party's signature of each
// channel's pending update (channel → sequence → signature).
func signaturesFile(networkName, party string, sigs map[string]map[string]model.ChannelSignature) ([]byte, error) {
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
	return cueFile([]string{
		"// Party " + party + "'s admin signatures of the pending config updates of network",
		"// " + networkName + "'s channels (fabric.channels.<channel>.signatures.<sequence>),",
		"// written by `flux-ledger channels sign`. Each is a Fabric ConfigSignature;",
		"// flux-ledger plan checks it against " + party + "'s admin certificate.",
	}, &ast.Field{Label: ast.NewIdent("network"), Value: ast.NewStruct(
		ast.NewIdent("fabric"), ast.NewStruct(ast.NewIdent("channels"), ast.NewStruct(channels...)),
	)})
}
