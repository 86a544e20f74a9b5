package approval

import (
	"strings"
	"testing"
)

// A statement that is not in canonical form is not read: what reviewers see in the
// file is exactly what was signed.
func TestApprovalFileMustBeCanonical(t *testing.T) {
	s := Statement{Network: "testnet", Party: "alpha", BaseTree: strings.Repeat("1", 40), ResultTree: strings.Repeat("2", 40)}
	sig := "-----BEGIN SSH SIGNATURE-----\nAA==\n-----END SSH SIGNATURE-----\n"
	good := string(s.Text()) + sig
	if _, err := Parse([]byte(good)); err != nil {
		t.Fatalf("canonical statement refused: %v", err)
	}
	for name, bad := range map[string]string{
		"extra space":      strings.Replace(good, "party: alpha", "party:  alpha", 1),
		"uppercase tree":   strings.Replace(good, strings.Repeat("1", 40), strings.Repeat("A", 40), 1),
		"reordered":        strings.Replace(strings.Replace(good, "network: testnet\n", "", 1), "party: alpha\n", "party: alpha\nnetwork: testnet\n", 1),
		"no signature":     string(s.Text()),
		"other version":    strings.Replace(good, Version, "flux-ledger-approval/v2", 1),
		"x509 signature":   string(s.Text()) + "-----BEGIN SIGNED MESSAGE-----\n",
		"carriage returns": strings.ReplaceAll(good, "\n", "\r\n"),
	} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
