package approval

import (
	"context"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// A party's key change is judged by its keys at base: an approval signed with the new
// key, which only the change itself lists, is forged as far as the base knows.
func TestApprovalWithAKeyOnlyTheChangeAddsIsForged(t *testing.T) {
	_, oldPub := sshKeygen(t, "-t", "ed25519")
	newKey, newPub := sshKeygen(t, "-t", "ed25519")
	s := Statement{Network: "testnet", Party: "alpha", BaseTree: strings.Repeat("1", 40), ResultTree: strings.Repeat("2", 40)}
	data, err := Sign(context.Background(), s, Signer{Format: "ssh", Key: newKey})
	if err != nil {
		t.Fatal(err)
	}
	base := oneParty(model.ApprovalKey{Kind: "ssh", Key: oldPub})
	if v := Check(s.FileName(), data, s, base); v.Valid() || !strings.HasPrefix(v.Problem, "forged: signed by key SHA256:") {
		t.Errorf("verdict with the base's keys: %+v", v)
	}
	head := oneParty(model.ApprovalKey{Kind: "ssh", Key: oldPub}, model.ApprovalKey{Kind: "ssh", Key: newPub})
	if v := Check(s.FileName(), data, s, head); !v.Valid() {
		t.Errorf("the same file with the new key listed: %+v", v)
	}
}
