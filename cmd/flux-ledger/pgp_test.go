package main

import (
	"bytes"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
)

func armoredPublicKey(t *testing.T) string {
	t.Helper()
	entity, err := openpgp.NewEntity("Alpha", "", "ops@alpha.example", nil)
	if err != nil {
		t.Fatal(err)
	}
	var pub bytes.Buffer
	w, _ := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	entity.Serialize(w)
	w.Close()
	return pub.String()
}
