package plan

import (
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/approval"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Who must approve when a party has no approval keys at base: nobody can verify it,
// so a change that gives it keys is approved by the parties that have keys (all of
// whom approve a change of cue/ anyway), and when no party has keys it is the
// founding change. Any other change needs keys at base.
func TestApprovalsOfPartiesWithoutKeysAtBase(t *testing.T) {
	key := []model.ApprovalKey{{Kind: "ssh", Key: "ssh-ed25519 AAAA…"}}
	net := func(alpha, beta []model.ApprovalKey) *model.Network {
		return &model.Network{Parties: map[string]model.Party{"alpha": {Name: "alpha", ApprovalKeys: alpha}, "beta": {Name: "beta", ApprovalKeys: beta}}}
	}
	alphaApproved := []approval.Verdict{{File: "approvals/alpha-1.approval", Party: "alpha", Key: "SHA256:a"}}
	for _, c := range []struct {
		name       string
		base, head *model.Network
		verdicts   []approval.Verdict
		status     map[string]string
		refused    []string
	}{
		{"beta gets its first keys, alpha approves", net(key, nil), net(key, key), alphaApproved,
			map[string]string{"alpha": Approved, "beta": Enrolled}, nil},
		{"beta gets its first keys, alpha has not approved", net(key, nil), net(key, key), nil,
			map[string]string{"alpha": Missing, "beta": Enrolled}, []string{"approval of party alpha is missing"}},
		{"founding: nobody has keys at base", net(nil, nil), net(key, key), nil,
			map[string]string{"alpha": Enrolled, "beta": Enrolled}, nil},
		{"founding without keys for beta", net(nil, nil), net(key, nil), nil,
			map[string]string{"alpha": Enrolled, "beta": NoKeys}, []string{"party beta has no approval keys at base"}},
		{"a change without keys anywhere", net(nil, nil), net(nil, nil), nil,
			map[string]string{"alpha": NoKeys, "beta": NoKeys}, []string{"party alpha has no approval keys at base", "party beta has no approval keys at base"}},
		{"beta's key removed: judged by its keys at base", net(key, key), net(key, nil), alphaApproved,
			map[string]string{"alpha": Approved, "beta": Missing}, []string{"approval of party beta is missing"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := &Plan{Refused: []string{}, Approvals: []Approval{{Party: "alpha", Paths: []string{"cue/network.cue"}}, {Party: "beta", Paths: []string{"cue/network.cue"}}}}
			p.RequireApprovals(c.verdicts, c.base, c.head)
			for _, a := range p.Approvals {
				if a.Status != c.status[a.Party] {
					t.Errorf("party %s: status %q, want %q", a.Party, a.Status, c.status[a.Party])
				}
			}
			if len(p.Refused) != len(c.refused) {
				t.Fatalf("refused %q, want %d lines", p.Refused, len(c.refused))
			}
			for i, want := range c.refused {
				if !strings.HasPrefix(p.Refused[i], want) {
					t.Errorf("refused %q, want %q", p.Refused[i], want)
				}
			}
		})
	}
}
