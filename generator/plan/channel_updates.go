package plan

import (
	"fmt"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/render/platform"
)

// ChannelUpdate is a running Fabric channel's pending member or consenter change: the
// unsigned config update generate renders, and the signatures it needs before it
// applies (render/platform, filled by the platform's section of the plan).
type ChannelUpdate = platform.ChannelUpdate

// ChannelSignatures is one policy the update must satisfy: Required of the
// organisations' admins (their SubPolicy) sign.
type ChannelSignatures = platform.ChannelSignatures

// RecordedSignature is a recorded signature of a pending channel update that does not
// count: State is "stale" (it signs another update: re-sign) or "refused" (not the
// party's admin, forged or malformed: plan refuses the change until it is removed).
type RecordedSignature = platform.RecordedSignature

// SignatureProgressText says who signed and who else may: "signed by contoso,
// fabrikam; needs 1 more of: northwind".
func SignatureProgressText(signedBy, missing []string, more int) string {
	return platform.SignatureProgressText(signedBy, missing, more)
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
		lines = append(lines, recordedLines(u)...)
	}
	return lines
}

// recordedLines names each stale signature of u (refused ones are in Refused).
func recordedLines(u ChannelUpdate) []string {
	var lines []string
	for _, r := range u.Recorded {
		if r.State == "stale" {
			lines = append(lines, fmt.Sprintf("channel %s: %s: party %s's signature is stale, it does not count: %s; sign again with flux-ledger channels sign --channel %s --party %s",
				u.Channel, r.File, r.Party, r.Reason, u.Channel, r.Party))
		}
	}
	return lines
}

// PendingChannelUpdate is a channel's pending update as plan lists it, with why plan
// refuses it, if it does (nil, nil on a ledger without channels): status shows the
// same.
func PendingChannelUpdate(head *model.Network, name string) (*ChannelUpdate, []string) {
	p, err := render.PlatformOf(head)
	if err != nil {
		return nil, []string{err.Error()}
	}
	channels, ok := p.(platform.Channels)
	if !ok {
		return nil, nil
	}
	return channels.PendingChannelUpdate(head, name)
}
