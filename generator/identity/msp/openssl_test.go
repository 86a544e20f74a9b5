package msp_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
)

// OpenSSL is a second, independent verifier: every certificate the package makes must
// verify with `openssl verify -CAfile`, at the test's clock (-attime).
func TestOpenSSLVerifiesEveryCertificate(t *testing.T) {
	opensslPath(t)
	org := newOrg(t, "Org1MSP")
	for _, role := range msp.Roles {
		leaf := issueSigning(t, org.CA, string(role)+"0", role).Cert
		if out, ok := opensslVerify(t, org.CA.Cert, leaf, t0); !ok {
			t.Errorf("%s: openssl verify: %s", role, out)
		}
	}
	tls, err := org.TLSCA.IssueTLS(msp.TLSOptions{Name: "orderer0", Hosts: []string{"orderer0.org1", "10.0.0.9"}, Validity: year()})
	if err != nil {
		t.Fatal(err)
	}
	for _, purpose := range []string{"sslserver", "sslclient"} {
		if out, ok := opensslVerify(t, org.TLSCA.Cert, tls.Cert, t0, "-purpose", purpose); !ok {
			t.Errorf("TLS as %s: openssl verify: %s", purpose, out)
		}
	}
	renewed, err := org.TLSCA.RenewLeaf(tls.Cert, later())
	if err != nil {
		t.Fatal(err)
	}
	if out, ok := opensslVerify(t, org.TLSCA.Cert, renewed, later().NotBefore.Add(time.Hour), "-purpose", "sslserver"); !ok {
		t.Errorf("renewed TLS: openssl verify: %s", out)
	}
	renewedCA := renewCA(t, org.CA)
	old := issueSigning(t, org.CA, "peer1", msp.RolePeer).Cert
	if out, ok := opensslVerify(t, renewedCA.Cert, old, t0); !ok {
		t.Errorf("leaf of the old CA certificate under the renewed one: %s", out)
	}
}

func TestOpenSSLRejectsWhatFabricRejects(t *testing.T) {
	opensslPath(t)
	org1, org2 := newOrg(t, "Org1MSP"), newOrg(t, "Org2MSP")
	peer := issueSigning(t, org2.CA, "peer0.org2", msp.RolePeer).Cert
	if out, ok := opensslVerify(t, org1.CA.Cert, peer, t0); ok {
		t.Errorf("Org2's peer verified under Org1's CA: %s", out)
	}
	if out, ok := opensslVerify(t, org2.CA.Cert, peer, peer.NotAfter.Add(time.Minute)); ok || !strings.Contains(out, "expired") {
		t.Errorf("an expired certificate verified: %s", out)
	}
	// The clientAuth-only signing leaf Fabric refuses (see eku_default_test.go) fails
	// OpenSSL's server purpose for the same reason.
	clientOnly := signWith(t, &x509.Certificate{
		Subject:  pkix.Name{CommonName: "user1", OrganizationalUnit: []string{"client"}},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}, org1.CA, lowSOnly(org1.CA))
	if out, ok := opensslVerify(t, org1.CA.Cert, clientOnly, t0, "-purpose", "sslserver"); ok {
		t.Errorf("a clientAuth-only leaf verified for sslserver: %s", out)
	}
}

// `openssl x509 -text` reads the extensions Fabric relies on: SKI on CAs
// (msp/mspimplsetup.go finalizeSetupCAs), AKI naming the CA on leaves, the cryptogen
// key usages, no EKU on signing leaves, and the SANs on TLS leaves.
func TestOpenSSLReadsTheExtensions(t *testing.T) {
	opensslPath(t)
	org := newOrg(t, "Org1MSP")
	ski := colonHex(org.CA.Cert.SubjectKeyId)
	ca := opensslText(t, org.CA.Cert)
	for _, want := range []string{
		"X509v3 Subject Key Identifier: \n                " + ski,
		"CA:TRUE",
		"Digital Signature, Key Encipherment, Certificate Sign, CRL Sign",
		"TLS Web Client Authentication, TLS Web Server Authentication",
		"ASN1 OID: prime256v1",
		"Signature Algorithm: ecdsa-with-SHA256",
		"Subject: O = Org1MSP, CN = ca.org1msp.example.com",
	} {
		if !strings.Contains(ca, want) {
			t.Errorf("CA lacks %q:\n%s", want, ca)
		}
	}
	peer := opensslText(t, issueSigning(t, org.CA, "peer0.org1", msp.RolePeer).Cert)
	for _, want := range []string{"X509v3 Authority Key Identifier", ski, "CA:FALSE", "Digital Signature\n", "Subject: O = Org1MSP, OU = peer, CN = peer0.org1"} {
		if !strings.Contains(peer, want) {
			t.Errorf("signing leaf lacks %q:\n%s", want, peer)
		}
	}
	if strings.Contains(peer, "Extended Key Usage") {
		t.Errorf("signing leaf has an extended key usage:\n%s", peer)
	}
	tls, err := org.TLSCA.IssueTLS(msp.TLSOptions{Name: "peer0.org1", Hosts: []string{"peer0.org1", "peer0", "10.0.0.7"}, Validity: year()})
	if err != nil {
		t.Fatal(err)
	}
	text := opensslText(t, tls.Cert)
	for _, want := range []string{
		"DNS:peer0.org1, DNS:peer0, IP Address:10.0.0.7",
		"Digital Signature, Key Encipherment",
		"TLS Web Server Authentication, TLS Web Client Authentication",
		"X509v3 Authority Key Identifier",
		colonHex(org.TLSCA.Cert.SubjectKeyId),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("TLS leaf lacks %q:\n%s", want, text)
		}
	}
}

// colonHex formats a key identifier as openssl prints it: AB:CD:….
func colonHex(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}
