package fabric

import (
	"fmt"
	"slices"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/lifecycle"
)

// signedUpdate is a channel's pending update whose requirements are met, with the
// envelope carrying its valid signatures.
type signedUpdate struct {
	channel  string
	update   *Update
	sigs     *UpdateSignatures
	envelope []byte
}

// signedUpdates lists the channels whose pending update has enough valid signatures
// (CheckSignatures), each with the envelope holding those signatures, ordered by party
// and the recorded bytes, so the envelope is the same on every run; Fabric's policy
// check does not depend on their order. Refused and stale signatures are left out
// (plan reports them).
func signedUpdates(network *model.Network) ([]signedUpdate, error) {
	var out []signedUpdate
	if network.Fabric == nil {
		return out, nil
	}
	for _, channel := range network.Fabric.ChannelNames() {
		// What ChannelUpdates renders nothing for, this renders nothing for.
		if changes, err := PendingChanges(network, channel); err != nil || len(changes) != 1 {
			continue
		}
		u, err := ChannelUpdate(network, channel)
		if err != nil {
			return nil, err
		}
		if u == nil {
			continue
		}
		sigs, err := CheckSignatures(network, channel, u)
		if err != nil {
			return nil, err
		}
		if !sigs.Met() {
			continue
		}
		var valid []*configtx.ConfigSignature
		for _, c := range sigs.Valid() { // Checks are in party order
			valid = append(valid, c.Signature)
		}
		signed, err := configtx.SignedEnvelope(u.Envelope, valid)
		if err != nil {
			return nil, err
		}
		out = append(out, signedUpdate{channel: channel, update: u, sigs: sigs, envelope: signed})
	}
	return out, nil
}

// SignedUpdates renders, for each launched channel whose pending update has enough
// valid signatures, the envelope with those signatures in it:
// channels/<channel>/updates/<seq>-<kind>-<party>.signed.pb beside the unsigned one,
// which `peer channel update -f` submits as it is (Fabric v2.5.16
// internal/peer/channel/update.go reads the file and create.go
// sanityCheckAndSignConfigTx only adds the submitter's signature).
func SignedUpdates(network *model.Network) (map[string][]byte, error) {
	signed, err := signedUpdates(network)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, s := range signed {
		out[SignedPath(s.update)] = s.envelope
	}
	return out, nil
}

// SignedPath is where the signed envelope of u is rendered.
func SignedPath(u *Update) string { return strings.TrimSuffix(u.Path, ".pb") + ".signed.pb" }

// submissions picks, for each signed update, the party whose Job submits it: the
// first by name of the parties whose signature counts (current members, so their
// admin may submit) that stays a member in the model — one party, so one Job, and the
// same one on every run.
func submissions(network *model.Network) (map[string][]lifecycle.ChannelSubmission, error) {
	signed, err := signedUpdates(network)
	if err != nil {
		return nil, err
	}
	out := map[string][]lifecycle.ChannelSubmission{}
	for _, s := range signed {
		var signers []string
		for _, c := range s.sigs.Valid() {
			if slices.Contains(network.Fabric.Channels[s.channel].Members, c.Party) {
				signers = append(signers, c.Party)
			}
		}
		if len(signers) == 0 {
			continue // only the leaving party signed enough: it submits by hand
		}
		party := slices.Min(signers)
		submission := lifecycle.ChannelSubmission{
			Channel: s.channel, Sequence: s.update.Sequence, Change: s.update.Change.Kind, Organisation: s.update.MSPID, Envelope: s.envelope,
		}
		if node, ok := network.Nodes[s.update.Change.Node]; ok {
			submission.Consenter = fmt.Sprintf("%s:%d", node.Endpoint.Host, node.Endpoint.Port)
		}
		switch s.update.Change.Kind {
		case KindRenewConsenter:
			submission.ConsenterTLS = []byte(network.Identities[s.update.Change.Node].TLSCert)
		case KindAnchorPeers:
			org, err := memberOrg(network, s.update.Change.Party)
			if err != nil {
				return nil, err
			}
			for _, a := range org.AnchorPeers {
				submission.Anchors = append(submission.Anchors, fmt.Sprintf("%s:%d", a.Host, a.Port))
			}
		}
		out[party] = append(out[party], submission)
	}
	return out, nil
}
