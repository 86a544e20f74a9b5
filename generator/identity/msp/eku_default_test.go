package msp_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
)

// Fabric v2.5.16 and v3.1.5 msp/mspimplsetup.go setupCAs builds x509.VerifyOptions
// without KeyUsages, and Go reads an empty list as ServerAuth. So a signing leaf
// carrying only clientAuth — a natural choice for a "client" identity — fails Fabric's
// verification with "incompatible key usage". The leaf here is built with crypto/x509
// directly because the package refuses to make it.
func TestClientAuthOnlyLeafIsRejected(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	leaf := signWith(t, &x509.Certificate{
		Subject:               pkix.Name{CommonName: "user1", Organization: []string{"Org1MSP"}, OrganizationalUnit: []string{"client"}},
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}, org.CA, lowSOnly(org.CA))

	_, err := fabricChains(leaf, org.CA.Cert)
	var invalid x509.CertificateInvalidError
	if !errors.As(err, &invalid) || invalid.Reason != x509.IncompatibleUsage {
		t.Fatalf("Fabric's verification = %v, want incompatible key usage", err)
	}
	if _, err := parseMSP(t, org).VerifySigning(leaf, t0); err == nil {
		t.Error("VerifySigning accepted a clientAuth-only leaf")
	}
	// The same leaf without the EKU (the package's profile) passes the same check.
	ok := issueSigning(t, org.CA, "user1", msp.RoleClient)
	if _, err := fabricChains(ok.Cert, org.CA.Cert); err != nil {
		t.Errorf("the no-EKU client identity fails: %v", err)
	}
}

// Go checks the EKU of every certificate in the chain, so a CA restricted to
// clientAuth breaks all its leaves under Fabric's options, even leaves with no EKU.
// That is why the CA profile lists ServerAuth too (internal/cryptogen/ca/ca.go NewCA).
func TestCAWithoutServerAuthBreaksItsLeaves(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	ca := selfSignedWith(t, org.CA, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth})
	leaf := signWith(t, &x509.Certificate{
		Subject:  pkix.Name{CommonName: "peer0", OrganizationalUnit: []string{"peer"}},
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true,
	}, ca, lowSOnly(ca))
	_, err := fabricChains(leaf, ca.Cert)
	var invalid x509.CertificateInvalidError
	if !errors.As(err, &invalid) || invalid.Reason != x509.IncompatibleUsage {
		t.Fatalf("Fabric's verification = %v, want incompatible key usage", err)
	}
}

// selfSignedWith makes a CA with the same key and name as ca but other EKUs.
func selfSignedWith(t *testing.T, ca *msp.CA, eku []x509.ExtKeyUsage) *msp.CA {
	t.Helper()
	template := &x509.Certificate{
		SerialNumber:          ca.Cert.SerialNumber,
		Subject:               ca.Cert.Subject,
		NotBefore:             ca.Cert.NotBefore,
		NotAfter:              ca.Cert.NotAfter.Add(-time.Second),
		KeyUsage:              ca.Cert.KeyUsage,
		ExtKeyUsage:           eku,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(nil, template, template, &ca.Key.PublicKey, lowSOnly(ca))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &msp.CA{Cert: cert, Key: ca.Key, Clock: clock}
}
