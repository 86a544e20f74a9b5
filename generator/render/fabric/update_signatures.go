package fabric

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// SignaturesPath is the file holding one party's signatures of pending config updates:
// one file per party, so that parties signing at the same time never edit one file.
func SignaturesPath(party string) string { return "cue/signatures_" + party + ".cue" }

// UpdateDigest is how a recorded signature names the config update it signed:
// "sha256:" and the hex SHA-256 of the encoded common.ConfigUpdate, the bytes every
// admin signs (not the envelope around them).
func UpdateDigest(configUpdate []byte) string {
	sum := sha256.Sum256(configUpdate)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// SignatureCheck is what one recorded signature is worth for the pending update.
type SignatureCheck struct {
	Party string
	// File is where the party's signatures live (SignaturesPath).
	File string
	// Valid: it counts. Stale: it signs another update (an older config, or a change
	// since); it neither counts nor is refused. Refused: it can never count — not the
	// party's admin, forged or malformed — and says why.
	Valid   bool
	Stale   string
	Refused string
	// Signature is the decoded signature when Valid.
	Signature *configtx.ConfigSignature
}

// SignatureProgress is one requirement of the update with who satisfies it so far.
type SignatureProgress struct {
	configtx.Requirement
	// SignedBy are the parties among the requirement's organisations whose valid
	// signature is recorded; Missing the others; More how many more the rule needs.
	SignedBy, Missing []string
	More              int
}

// UpdateSignatures is every recorded signature of a pending update, checked, and
// each of its requirements counted.
type UpdateSignatures struct {
	Checks   []SignatureCheck
	Progress []SignatureProgress
}

// Met reports whether every requirement has enough valid signatures.
func (s *UpdateSignatures) Met() bool {
	for _, p := range s.Progress {
		if p.More > 0 {
			return false
		}
	}
	return true
}

// Valid are the valid signatures, in party order.
func (s *UpdateSignatures) Valid() []SignatureCheck {
	var out []SignatureCheck
	for _, c := range s.Checks {
		if c.Valid {
			out = append(out, c)
		}
	}
	return out
}

// CheckSignatures checks each signature recorded for the pending update u of channel
// (fabric.channels.<channel>.signatures."<u.Sequence>"). A signature counts for party P
// only when its creator is P's organisation (mspid) with exactly P's admin certificate
// from the model as id_bytes, and its ECDSA signature verifies, low-S, with that
// certificate's key over signature_header || the update's current bytes — what the
// orderer checks (Fabric v2.5.16 protoutil/signeddata.go
// ConfigUpdateEnvelopeAsSignedData, msp/identities.go Verify, bccsp/sw/ecdsa.go
// verifyECDSA) before it evaluates the org's Admins policy, which the admin
// certificate satisfies. Each requirement (ImplicitMeta over the orgs' Admins) then
// counts the parties among its organisations that signed.
func CheckSignatures(network *model.Network, channel string, u *Update) (*UpdateSignatures, error) {
	update, err := configtx.EnvelopeConfigUpdate(u.Envelope)
	if err != nil {
		return nil, fmt.Errorf("channel %s: %s: %w", channel, u.Path, err)
	}
	digest := UpdateDigest(update)
	out := &UpdateSignatures{}
	seq := strconv.FormatUint(u.Sequence, 10)
	recorded := network.Fabric.Channels[channel].Signatures
	for _, k := range slices.Sorted(maps.Keys(recorded)) {
		if k == seq {
			continue
		}
		for _, party := range slices.Sorted(maps.Keys(recorded[k])) {
			out.Checks = append(out.Checks, SignatureCheck{Party: party, File: SignaturesPath(party),
				Stale: fmt.Sprintf("signed for config sequence %s, not the pending update's %s", k, seq)})
		}
	}
	for _, party := range slices.Sorted(maps.Keys(recorded[seq])) {
		c := checkSignature(network, party, recorded[seq][party], digest, update)
		out.Checks = append(out.Checks, c)
	}
	byMSP := map[string]string{}
	for _, p := range network.PartyNames() {
		byMSP[network.Parties[p].MSPID] = p
	}
	valid := map[string]bool{}
	for _, c := range out.Checks {
		if c.Valid {
			valid[network.Parties[c.Party].MSPID] = true
		}
	}
	for _, r := range u.Requirements {
		p := SignatureProgress{Requirement: r}
		for _, org := range r.Orgs {
			name, ok := byMSP[org]
			if !ok {
				name = org // an organisation of the config that is no party's: it never signs here
			}
			if valid[org] {
				p.SignedBy = append(p.SignedBy, name)
			} else {
				p.Missing = append(p.Missing, name)
			}
		}
		slices.Sort(p.SignedBy)
		slices.Sort(p.Missing)
		p.More = max(0, r.Threshold-len(p.SignedBy))
		out.Progress = append(out.Progress, p)
	}
	return out, nil
}

func checkSignature(network *model.Network, party string, recorded model.ChannelSignature, digest string, update []byte) SignatureCheck {
	c := SignatureCheck{Party: party, File: SignaturesPath(party)}
	p, ok := network.Parties[party]
	if !ok {
		c.Refused = "no party " + party + " in the network"
		return c
	}
	org, ok := network.MSP[party]
	if !ok {
		c.Refused = fmt.Sprintf("party %s has no MSP material to verify it with", party)
		return c
	}
	raw, err := base64.StdEncoding.DecodeString(recorded.ConfigSignature)
	if err != nil {
		c.Refused = "configSignature is not base64: " + err.Error()
		return c
	}
	s, err := configtx.DecodeConfigSignature(raw)
	if err != nil {
		c.Refused = "configSignature: " + err.Error()
		return c
	}
	if s.MSPID != p.MSPID {
		c.Refused = fmt.Sprintf("signed as organisation %s, not party %s's %s", s.MSPID, party, p.MSPID)
		return c
	}
	if !bytes.Equal(s.IDBytes, []byte(org.Admin)) {
		c.Refused = fmt.Sprintf("signed with a certificate that is not party %s's admin certificate (%s)", party, identity.MSPPath(party))
		return c
	}
	if recorded.ConfigUpdate != digest {
		c.Stale = "signed another update (" + recorded.ConfigUpdate + ", the pending one is " + digest + ")"
		return c
	}
	cert, err := msp.ParseCertPEM([]byte(org.Admin))
	if err != nil {
		c.Refused = fmt.Sprintf("party %s's admin certificate: %v", party, err)
		return c
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		c.Refused = fmt.Sprintf("party %s's admin certificate has no ECDSA key", party)
		return c
	}
	if err := s.Verify(update, pub); err != nil {
		c.Refused = "forged or invalid: " + err.Error()
		return c
	}
	c.Valid, c.Signature = true, s
	return c
}
