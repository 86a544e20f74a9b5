package launch

import (
	"crypto/ecdsa"

	"filippo.io/age"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
)

// SignResult is what SignChannel did: the update signed (its path) and the channel's
// config sequence once it applies, the files written (none when the party's valid
// signature was already recorded) and the update's signatures as plan counts them
// afterwards.
type SignResult struct {
	Update     string
	Sequence   uint64
	Written    []string
	Already    bool
	Signatures []platform.ChannelSignatures
}

// SignChannel signs channel's pending config update as party's admin, with the admin
// key sealed in the party's own msp-admin Secret, opened in memory with ids, and
// records the signature in the party's own file (cue/signatures_<party>.cue), so that
// each party signs where its key lives and commits only its signature. It refuses a
// channel without a pending update, a party whose admins the update does not need, and
// a sealed key that is not the party's admin certificate's.
func SignChannel(repo, channel, party string, ids []age.Identity) (*SignResult, error) {
	network, channels, err := channelsOf(repo)
	if err != nil {
		return nil, err
	}
	signed, err := channels.SignChannel(network, channel, party, func() (*ecdsa.PrivateKey, error) {
		return keys.AdminKey(repo, network, party, ids)
	})
	if err != nil {
		return nil, err
	}
	result := &SignResult{Update: signed.Update, Sequence: signed.Sequence, Already: signed.Already, Signatures: signed.Signatures}
	if signed.Record != nil {
		if result.Written, err = write(repo, *signed.Record); err != nil {
			return nil, err
		}
	}
	return result, nil
}
