package plan

import (
	"fmt"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
)

// RecordedSignature is a recorded signature of a pending channel update that does not
// count: State is "stale" (it signs another update: re-sign) or "refused" (not the
// party's admin, forged or malformed: plan refuses the change until it is removed).
type RecordedSignature struct {
	Party  string `json:"party"`
	File   string `json:"file"`
	State  string `json:"state"`
	Reason string `json:"reason"`
}

// recordedSignatures lists the signatures that do not count and refuses the plan for
// each refused one, naming its file and party: a signature from a key that is not
// the party's admin is someone signing in another's name.
func (p *Plan) recordedSignatures(channel, envelope string, sigs *fabric.UpdateSignatures) []RecordedSignature {
	var out []RecordedSignature
	for _, c := range sigs.Checks {
		switch {
		case c.Refused != "":
			out = append(out, RecordedSignature{Party: c.Party, File: c.File, State: "refused", Reason: c.Refused})
			p.Refused = append(p.Refused, fmt.Sprintf("channel %s: %s: party %s's signature of %s is refused: %s; remove it (the party signs again with flux-ledger channels sign)",
				channel, c.File, c.Party, envelope, c.Refused))
		case c.Stale != "":
			out = append(out, RecordedSignature{Party: c.Party, File: c.File, State: "stale", Reason: c.Stale})
		}
	}
	return out
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

// recordedLines names each stale signature (refused ones are in Refused).
func (u ChannelUpdate) recordedLines() []string {
	var lines []string
	for _, r := range u.Recorded {
		if r.State == "stale" {
			lines = append(lines, fmt.Sprintf("channel %s: %s: party %s's signature is stale, it does not count: %s; sign again with flux-ledger channels sign --channel %s --party %s",
				u.Channel, r.File, r.Party, r.Reason, u.Channel, r.Party))
		}
	}
	return lines
}
