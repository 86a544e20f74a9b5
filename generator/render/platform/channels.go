package platform

import (
	"crypto/ecdsa"
	"fmt"
	"strings"
)

// AdminKey opens a party's admin key, from the party's sealed Secret.
type AdminKey func() (*ecdsa.PrivateKey, error)

// Signed is what SignChannel did.
type Signed struct {
	// Update is the signed update's path, Sequence the channel's config sequence once
	// it applies.
	Update   string
	Sequence uint64
	// Already: the party's valid signature was recorded before; nothing to write.
	Already bool
	// Signatures are the update's requirements as plan counts them afterwards.
	Signatures []ChannelSignatures
	// Record is the party's signatures record to write (none when Already).
	Record *Record
}

// ChannelUpdate is a running channel's pending change: the
// unsigned config update generate renders, and the signatures it needs before it
// applies.
type ChannelUpdate struct {
	Channel string `json:"channel"`
	// Change is "add", "remove" or "anchor-peers" (Party), or "add-consenter",
	// "remove-consenter" or "renew-consenter" (Node, an orderer of Party).
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

// RecordedSignature is a recorded signature of a pending channel update that does not
// count: State is "stale" (it signs another update: re-sign) or "refused" (not the
// party's admin, forged or malformed: plan refuses the change until it is removed).
type RecordedSignature struct {
	Party  string `json:"party"`
	File   string `json:"file"`
	State  string `json:"state"`
	Reason string `json:"reason"`
}

// Progress says who signed and who else may: "signed by contoso, fabrikam; needs 1
// more of: northwind".
func (s ChannelSignatures) Progress() string {
	return SignatureProgressText(s.SignedBy, s.Missing, s.More)
}

// SignatureProgressText is Progress for any list of signers.
func SignatureProgressText(signedBy, missing []string, more int) string {
	signed := "no signature yet"
	if len(signedBy) > 0 {
		signed = "signed by " + strings.Join(signedBy, ", ")
	}
	if more == 0 {
		return signed + ": enough"
	}
	return fmt.Sprintf("%s; needs %d more of: %s", signed, more, strings.Join(missing, ", "))
}
