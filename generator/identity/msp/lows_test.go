package msp_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"io"
	"math/big"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
)

// The structures below are Fabric's own, copied from msp/cert.go (v2.5.16; unchanged
// in v3.1.5), so the test re-encodes a certificate exactly as Fabric does.
type fabricValidity struct{ NotBefore, NotAfter time.Time }

type fabricPublicKeyInfo struct {
	Raw       asn1.RawContent
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

type fabricTBSCertificate struct {
	Raw                asn1.RawContent
	Version            int `asn1:"optional,explicit,default:0,tag:0"`
	SerialNumber       *big.Int
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Issuer             asn1.RawValue
	Validity           fabricValidity
	Subject            asn1.RawValue
	PublicKey          fabricPublicKeyInfo
	UniqueId           asn1.BitString   `asn1:"optional,tag:1"`
	SubjectUniqueId    asn1.BitString   `asn1:"optional,tag:2"`
	Extensions         []pkix.Extension `asn1:"optional,explicit,tag:3"`
}

type fabricCertificate struct {
	Raw                asn1.RawContent
	TBSCertificate     fabricTBSCertificate
	SignatureAlgorithm pkix.AlgorithmIdentifier
	SignatureValue     asn1.BitString
}

type ecdsaSig struct{ R, S *big.Int }

// fabricSanitize is Fabric v2.5.16 msp/cert.go sanitizeECDSASignedCert with
// bccsp/utils/ecdsa.go SignatureToLowS (v3.1.5 imports the same
// function from fabric-lib-go v1.1.3 bccsp/utils/ecdsa.go): if S is above half
// the group order it is replaced by N-S and the certificate re-encoded. It returns the
// DER Fabric would go on using.
func fabricSanitize(t *testing.T, cert, parent *x509.Certificate) []byte {
	t.Helper()
	var sig ecdsaSig
	if _, err := asn1.Unmarshal(cert.Signature, &sig); err != nil {
		t.Fatal(err)
	}
	n := parent.PublicKey.(*ecdsa.PublicKey).Curve.Params().N
	if sig.S.Cmp(new(big.Int).Rsh(n, 1)) == 1 { // bccsp/utils IsLowS is s <= N/2
		sig.S.Sub(n, sig.S)
	}
	expected, err := asn1.Marshal(sig)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(expected, cert.Signature) {
		return cert.Raw
	}
	var c fabricCertificate
	if _, err := asn1.Unmarshal(cert.Raw, &c); err != nil {
		t.Fatal(err)
	}
	c.SignatureValue = asn1.BitString{Bytes: expected, BitLength: 8 * len(expected)}
	c.Raw = nil
	raw, err := asn1.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// Fabric v2.5.16 msp/mspimpl.go sanitizeCert re-encodes any certificate whose
// signature is high-S (msp/cert.go sanitizeECDSASignedCert), and IsWellFormed refuses a
// signature not in canonical DER (isIdentitySignedInCanonicalForm). Go's ecdsa signs
// high-S half the time, so 40 certificates all surviving unchanged shows the package
// normalises (by chance: 2^-40).
func TestCertificatesSurviveFabricSanitization(t *testing.T) {
	for i := range 5 {
		org := newOrg(t, "Org1MSP")
		certs := map[*x509.Certificate]*x509.Certificate{org.CA.Cert: org.CA.Cert, org.TLSCA.Cert: org.TLSCA.Cert}
		for _, role := range msp.Roles {
			certs[issueSigning(t, org.CA, string(role), role).Cert] = org.CA.Cert
		}
		tls, err := org.TLSCA.IssueTLS(msp.TLSOptions{Name: "peer0", Hosts: []string{"peer0.org1"}, Validity: year()})
		if err != nil {
			t.Fatal(err)
		}
		certs[tls.Cert] = org.TLSCA.Cert
		if _, err := org.CA.RenewLeaf(tls.Cert, year()); err == nil { // a TLS leaf was not issued by the signing CA
			t.Fatal("RenewLeaf renewed a certificate of another CA")
		}
		renewed, err := org.TLSCA.RenewLeaf(tls.Cert, year())
		if err != nil {
			t.Fatal(err)
		}
		certs[renewed] = org.TLSCA.Cert
		for cert, parent := range certs {
			if !bytes.Equal(fabricSanitize(t, cert, parent), cert.Raw) {
				t.Errorf("round %d: Fabric would re-encode %s (high-S signature)", i, cert.Subject.CommonName)
			}
			var sig ecdsaSig
			if rest, err := asn1.Unmarshal(cert.Signature, &sig); err != nil || len(rest) > 0 {
				t.Fatalf("signature is not DER: %v", err)
			}
			if again, _ := asn1.Marshal(sig); !bytes.Equal(again, cert.Signature) {
				t.Errorf("round %d: %s: signature is not canonical DER", i, cert.Subject.CommonName)
			}
		}
	}
}

// A high-S certificate, as plain crypto/ecdsa makes half the time, is one Fabric
// would re-encode; VerifySigning refuses it so `keys verify` catches material made
// elsewhere.
func TestHighSCertificateIsRejected(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	leaf := signWith(t, &x509.Certificate{
		Subject:  pkix.Name{CommonName: "peer0", Organization: []string{"Org1MSP"}, OrganizationalUnit: []string{"peer"}},
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true,
	}, org.CA, sSigner{org.CA.Key, false})
	if bytes.Equal(fabricSanitize(t, leaf, org.CA.Cert), leaf.Raw) {
		t.Fatal("the high-S certificate would not be re-encoded: the emulation is wrong")
	}
	if _, err := fabricChains(leaf, org.CA.Cert); err != nil {
		t.Fatalf("Go itself accepts high-S: %v", err)
	}
	if _, err := parseMSP(t, org).VerifySigning(leaf, t0); err == nil {
		t.Error("VerifySigning accepted a high-S certificate")
	}
}

// sSigner signs with crypto/ecdsa and keeps only low-S (low) or only high-S
// signatures, to build certificates outside the package's profile on purpose.
type sSigner struct {
	key *ecdsa.PrivateKey
	low bool
}

func lowSOnly(ca *msp.CA) crypto.Signer { return sSigner{ca.Key, true} }

func (s sSigner) Public() crypto.PublicKey { return &s.key.PublicKey }

func (s sSigner) Sign(_ io.Reader, digest []byte, _ crypto.SignerOpts) ([]byte, error) {
	half := new(big.Int).Rsh(s.key.Params().N, 1)
	for {
		der, err := ecdsa.SignASN1(rand.Reader, s.key, digest)
		if err != nil {
			return nil, err
		}
		var sig ecdsaSig
		if _, err := asn1.Unmarshal(der, &sig); err != nil {
			return nil, err
		}
		if (sig.S.Cmp(half) <= 0) == s.low {
			return der, nil
		}
	}
}
