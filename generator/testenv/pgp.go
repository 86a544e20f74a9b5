package testenv

import (
	"bytes"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
)

// PGPKey makes an OpenPGP key, as a party signing its commits would, and returns it
// with its armored public keyring (what `audit --keyring` and `plan --keyring` read).
func PGPKey(t testing.TB, name, email string) (*openpgp.Entity, string) {
	t.Helper()
	entity, err := openpgp.NewEntity(name, "", email, nil)
	if err != nil {
		t.Fatal(err)
	}
	var pub bytes.Buffer
	w, err := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := entity.Serialize(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return entity, pub.String()
}
