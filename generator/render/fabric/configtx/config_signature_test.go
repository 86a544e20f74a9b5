package configtx_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// fields reads one level of an encoded message into field number → bytes, as a
// reader with only the .proto files would, without the package under test.
func fields(t *testing.T, b []byte) map[protowire.Number][]byte {
	t.Helper()
	out := map[protowire.Number][]byte{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || typ != protowire.BytesType {
			t.Fatalf("field %d: wire type %d (%d)", num, typ, n)
		}
		b = b[n:]
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			t.Fatalf("field %d: %v", num, protowire.ParseError(n))
		}
		out[num] = v
		b = b[n:]
	}
	return out
}

// admin is an admin certificate (PEM) and its key, as an MSP admin holds them.
func admin(t *testing.T, cn string) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca := newCA(t, cn+"-ca")
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), NotBefore: ca.cert.NotBefore, NotAfter: ca.cert.NotAfter, KeyUsage: x509.KeyUsageDigitalSignature}
	tmpl.Subject.CommonName = cn
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), key
}

// A signature made by SignConfigUpdate is what Fabric makes and checks, read back
// here with protowire and crypto/ecdsa alone: ConfigSignature{signature_header = 1,
// signature = 2} (fabric-protos common/configtx.proto), SignatureHeader{creator = 1,
// nonce = 2} (common/common.proto), creator a SerializedIdentity{mspid = 1, id_bytes =
// 2} (msp/identities.proto) whose id_bytes is the certificate PEM (Fabric v2.5.16
// msp/identities.go Serialize), a 24-byte nonce (protoutil/commonutils.go
// getRandomNonce), and a DER ECDSA signature over SHA-256(signature_header ||
// config_update) (protoutil/signeddata.go ConfigUpdateEnvelopeAsSignedData) with S at
// most N/2 (bccsp/sw/ecdsa.go signECDSA, bccsp/utils/ecdsa.go ToLowS). Each raw ECDSA
// signature is high-S half the time: 64 signatures all low-S fail with probability
// 2^-64 if the normalisation were missing.
func TestConfigSignatureIsFabricsConfigSignature(t *testing.T) {
	certPEM, key := admin(t, "Admin@alpha.example")
	update := []byte("\x0a\x0aledger-one\x12\x00\x1a\x00") // any bytes: the update is opaque here
	half := new(big.Int).Rsh(elliptic.P256().Params().N, 1)
	nonces := map[string]bool{}
	for range 64 {
		s, err := configtx.SignConfigUpdate(update, "AlphaMSP", certPEM, key, nil)
		if err != nil {
			t.Fatal(err)
		}
		top := fields(t, s.Marshal())
		header, sig := top[1], top[2]
		h := fields(t, header)
		creator := fields(t, h[1])
		if string(creator[1]) != "AlphaMSP" || !bytes.Equal(creator[2], certPEM) {
			t.Fatalf("creator: mspid %q, id_bytes %q", creator[1], creator[2])
		}
		if len(h[2]) != 24 || nonces[string(h[2])] {
			t.Fatalf("nonce %x: want 24 fresh random bytes", h[2])
		}
		nonces[string(h[2])] = true
		var rs struct{ R, S *big.Int }
		if rest, err := asn1.Unmarshal(sig, &rs); err != nil || len(rest) > 0 {
			t.Fatalf("signature is not DER: %v", err)
		}
		if rs.S.Cmp(half) > 0 {
			t.Fatalf("high-S signature: S = %s", rs.S)
		}
		digest := sha256.Sum256(append(append([]byte{}, header...), update...))
		if !ecdsa.VerifyASN1(&key.PublicKey, digest[:], sig) {
			t.Fatal("the signature does not verify over SHA-256(signature_header || config_update)")
		}
		if err := s.Verify(update, &key.PublicKey); err != nil {
			t.Fatalf("Verify: %v", err)
		}
		d, err := configtx.DecodeConfigSignature(s.Marshal())
		if err != nil || d.MSPID != "AlphaMSP" || !bytes.Equal(d.IDBytes, certPEM) || !bytes.Equal(d.Nonce, h[2]) {
			t.Fatalf("decode: %+v, %v", d, err)
		}
	}
}

// Verify refuses what Fabric's orderer refuses: the same signature made high-S
// (N−S verifies mathematically, but bccsp/sw/ecdsa.go verifyECDSA rejects it), a
// signature over other bytes, and another key's signature.
func TestConfigSignatureVerifyRefuses(t *testing.T) {
	certPEM, key := admin(t, "Admin@alpha.example")
	_, other := admin(t, "Admin@beta.example")
	update := []byte("update one")
	s, err := configtx.SignConfigUpdate(update, "AlphaMSP", certPEM, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(s.Signature, &rs); err != nil {
		t.Fatal(err)
	}
	high := *s
	rs.S = new(big.Int).Sub(elliptic.P256().Params().N, rs.S)
	if high.Signature, err = asn1.Marshal(rs); err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(append(append([]byte{}, s.SignatureHeader...), update...))
	if !ecdsa.VerifyASN1(&key.PublicKey, digest[:], high.Signature) {
		t.Fatal("N−S should verify with crypto/ecdsa: the test's premise")
	}
	for name, c := range map[string]struct {
		s      *configtx.ConfigSignature
		update []byte
		pub    *ecdsa.PublicKey
		want   string
	}{
		"high-S":      {&high, update, &key.PublicKey, "high-S"},
		"other bytes": {s, []byte("update two"), &key.PublicKey, "does not verify"},
		"other key":   {s, update, &other.PublicKey, "does not verify"},
	} {
		if err := c.s.Verify(c.update, c.pub); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if _, err := configtx.DecodeConfigSignature([]byte("\x0a\x02xx")); err == nil {
		t.Error("a ConfigSignature without a signature decoded")
	}
}

// SignedEnvelope puts the signatures into the ConfigUpdateEnvelope (signatures = 2)
// and keeps the update bytes the admins signed.
func TestSignedEnvelopeCarriesTheSignatures(t *testing.T) {
	n := newNetwork(t)
	block, err := configtx.GenesisBlock(n.channel)
	if err != nil {
		t.Fatal(err)
	}
	_, u := joinUpdate(t, block, joiner(t))
	envelope := u.Envelope()
	cu, err := configtx.EnvelopeConfigUpdate(envelope)
	if err != nil || !bytes.Equal(cu, u.Marshal()) {
		t.Fatalf("EnvelopeConfigUpdate: %v", err)
	}
	certPEM, key := admin(t, "Admin@alpha.example")
	s, err := configtx.SignConfigUpdate(cu, "AlphaMSP", certPEM, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := configtx.SignedEnvelope(envelope, []*configtx.ConfigSignature{s, s})
	if err != nil {
		t.Fatal(err)
	}
	data := fields(t, fields(t, fields(t, signed)[1])[2])
	if !bytes.Equal(data[1], cu) {
		t.Error("the signed envelope's config_update differs from the unsigned one's")
	}
	// Fabric's own protobuf definitions read two signatures in it.
	if d := decodeEnvelope(t, signed); d.ConfigUpdateEnvelope.Signatures != 2 {
		t.Errorf("fabric-block-json reads %d signatures, want 2", d.ConfigUpdateEnvelope.Signatures)
	}
	again, err := configtx.EnvelopeConfigUpdate(signed)
	if err != nil || !bytes.Equal(again, cu) {
		t.Errorf("the signed envelope's update: %v", err)
	}
}
