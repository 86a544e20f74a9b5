package fabric

import (
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// SignedUpdates renders, for each launched channel whose pending update has enough
// valid signatures (CheckSignatures), the envelope with those signatures in it:
// channels/<channel>/updates/<seq>-<kind>-<party>.signed.pb beside the unsigned one,
// which `peer channel update -f` submits as it is (Fabric v2.5.16
// internal/peer/channel/update.go reads the file and create.go
// sanityCheckAndSignConfigTx only adds the submitter's signature). The signatures
// are ordered by party and are the recorded bytes, so the file is the same on every
// run; Fabric's policy check does not depend on their order. Refused and stale
// signatures are left out (plan reports them).
func SignedUpdates(network *model.Network) (map[string][]byte, error) {
	out := map[string][]byte{}
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
		out[SignedPath(u)] = signed
	}
	return out, nil
}

// SignedPath is where the signed envelope of u is rendered.
func SignedPath(u *Update) string { return strings.TrimSuffix(u.Path, ".pb") + ".signed.pb" }
