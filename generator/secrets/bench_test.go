package secrets_test

import (
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/secrets"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// BenchmarkSeal is the cost of sealing one node key Secret to one recipient.
func BenchmarkSeal(b *testing.B) {
	id, _ := testenv.AgeKey(b)
	recipients := []string{id.Recipient().String()}
	for b.Loop() {
		if _, err := secrets.Seal([]byte(plain), recipients); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecipients is what generate pays per sealed file to check its recipients.
func BenchmarkRecipients(b *testing.B) {
	id, _ := testenv.AgeKey(b)
	sealed, err := secrets.Seal([]byte(plain), []string{id.Recipient().String()})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := secrets.Recipients(sealed); err != nil {
			b.Fatal(err)
		}
	}
}
