package keys_test

import (
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// After a recipient leaves a Fabric party, rewrap re-encrypts the CA, admin and node
// Secrets to the new list and says what the old recipient could read: the node keys,
// rotated with --rotate, and the CA and admin keys, whose replacement is a channel
// config update — never "--rotate msp-ca".
func TestFabricRewrapAdvisesOnNodeAndOrgKeys(t *testing.T) {
	f := newFabricFixture(t)
	f.init(t, keys.InitOptions{Party: "contoso"})
	next, _ := testenv.AgeKey(t)
	testenv.EditNetwork(t, f.repo, f.ids["contoso"].Recipient().String(), next.Recipient().String())
	result, err := keys.Rewrap(f.repo, keys.RewrapOptions{Party: "contoso", Identities: f.identities("contoso")})
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Written) != 4 {
		t.Errorf("rewrap wrote %v, want the 4 sealed files", result.Written)
	}
	advice := strings.Join(result.Advice, "\n")
	for _, want := range []string{"--rotate contoso-orderer-1 --rotate contoso-peer-1", "parties/contoso/secrets/msp-admin.yaml, parties/contoso/secrets/msp-ca.yaml", "config update"} {
		if !strings.Contains(advice, want) {
			t.Errorf("advice lacks %q:\n%s", want, advice)
		}
	}
	if strings.Contains(advice, "--rotate msp") {
		t.Errorf("advice rotates an MSP file:\n%s", advice)
	}
	f.ids["contoso"] = next
	if err := keys.Verify(f.repo, keys.VerifyOptions{Party: "contoso", Identities: f.identities("contoso")}); err != nil {
		t.Errorf("keys verify with the new recipient: %v", err)
	}
}
