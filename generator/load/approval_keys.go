package load

import (
	"fmt"
	"strconv"

	"cuelang.org/go/cue"

	"github.com/flux-ledger/flux-ledger/generator/approval"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// checkApprovalKeys parses every party's approval keys as verification will. The
// schema holds a key's shape (its armor, or "<type> AAAA…"); only parsing proves the
// packets or the wire encoding inside, which CUE cannot read.
func checkApprovalKeys(root cue.Value, net *model.Network) error {
	n := network{root}
	var issues []Issue
	for _, party := range net.PartyNames() {
		for k, key := range net.Parties[party].ApprovalKeys {
			if _, err := approval.ParseKey(key); err != nil {
				i := n.at(Issue{}, fmt.Sprintf("party %s: approval key %d (%s): %v", party, k, key.Kind, err), "parties", party, "approvalKeys")
				i.Path += "." + strconv.Itoa(k) + ".key"
				issues = append(issues, i)
			}
		}
	}
	if len(issues) > 0 {
		return &Error{Issues: issues}
	}
	return nil
}
