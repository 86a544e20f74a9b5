package plan

import (
	"fmt"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/approval"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Approval states, with --require-approvals.
const (
	Approved = "approved" // a valid approval file by a key of the party at base
	Missing  = "missing"  // none: the change is refused
	NoKeys   = "no keys"  // the party has no approval keys at base: refused
	Enrolled = "enrolled" // no keys at base, given keys by this change (see RequireApprovals)
)

// RequireApprovals checks that every party in p.Approvals approved this exact change,
// from the verdicts on the approval files the change brings (gitops.Approvals, with the
// keys of base). Each file that proves nothing — forged, stale, replayed, unreadable —
// is refused with its reason, and so is each party without a valid approval.
//
// A party has to approve with its keys at base, so a change cannot bring the key that
// approves it, and a change of a party's keys is judged by the keys it replaces. A
// party without keys at base cannot approve: a change that gives it keys (a party
// joining, or the party's first keys) is approved by every other party that has keys
// — all of whom must approve it anyway, as it changes cue/ — and when no party has
// keys at base, it is the founding change, approved in review only.
func (p *Plan) RequireApprovals(verdicts []approval.Verdict, base, head *model.Network) {
	p.ApprovalFiles = append([]approval.Verdict{}, verdicts...)
	valid := map[string][]string{}
	for _, v := range verdicts {
		if v.Valid() {
			valid[v.Party] = append(valid[v.Party], v.Key)
			continue
		}
		p.Refused = append(p.Refused, fmt.Sprintf("approval %s refused: %s", v.File, v.Problem))
	}
	founding := true
	for _, party := range base.Parties {
		if len(party.ApprovalKeys) > 0 {
			founding = false
		}
	}
	for i := range p.Approvals {
		a := &p.Approvals[i]
		switch {
		case len(valid[a.Party]) > 0:
			a.Status, a.Keys = Approved, valid[a.Party]
		case len(base.Parties[a.Party].ApprovalKeys) > 0:
			a.Status = Missing
			p.Refused = append(p.Refused, fmt.Sprintf("approval of party %s is missing: it approves with flux-ledger approve --party %s and commits the file", a.Party, a.Party))
		case len(head.Parties[a.Party].ApprovalKeys) > 0 && founding:
			a.Status, a.Note = Enrolled, "founding change: no party has approval keys at base"
		case len(head.Parties[a.Party].ApprovalKeys) > 0:
			a.Status, a.Note = Enrolled, "no approval keys at base: this change gives it keys, approved by the parties that have them"
		default:
			a.Status = NoKeys
			p.Refused = append(p.Refused, fmt.Sprintf("party %s has no approval keys at base, so its approval cannot be verified: give it approvalKeys in a change of its own first", a.Party))
		}
	}
}

// approvalState is the Approvals-needed column of text and markdown.
func (a Approval) approvalState() string {
	switch a.Status {
	case Approved:
		return "approved (" + strings.Join(a.Keys, ", ") + ")"
	case Enrolled:
		return "enrolled: " + a.Note
	}
	return strings.ToUpper(a.Status)
}
