package load

import (
	"fmt"
	"strconv"

	"cuelang.org/go/cue"
	"filippo.io/age"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// checkRecipients parses every party's age recipients as age does. The schema's
// pattern admits any string of the bech32 alphabet; a typo there passes it but breaks
// the checksum, and would only fail later, when keys are sealed. This is one of the
// rules only flux-ledger vet enforces: CUE has no bech32.
func checkRecipients(root cue.Value, net *model.Network) error {
	n := network{root}
	var issues []Issue
	for _, party := range net.PartyNames() {
		for k, recipient := range net.Parties[party].Recipients {
			if _, err := age.ParseX25519Recipient(recipient); err != nil {
				path := []string{"parties", party, "recipients"}
				i := n.at(Issue{}, fmt.Sprintf("party %s: %q is not an age recipient (%v): copy it again from age-keygen -y", party, recipient, err), path...)
				i.Path += "." + strconv.Itoa(k)
				issues = append(issues, i)
			}
		}
	}
	if len(issues) > 0 {
		return &Error{Issues: issues}
	}
	return nil
}
