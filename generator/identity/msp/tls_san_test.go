package msp_test

import (
	"crypto/x509"
	"net"
	"slices"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
)

// TLS certificates follow cryptogen (internal/cryptogen/msp/msp.go GenerateLocalMSP:
// DigitalSignature|KeyEncipherment, ServerAuth+ClientAuth) with a SAN for every name
// and address given: Go's TLS ignores the common name, so a name left out cannot be
// dialled.
func TestTLSCertificateHasASANForEveryHost(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	hosts := []string{"peer0.org1.example.com", "peer0", "10.0.0.7", "::1"}
	leaf, err := org.TLSCA.IssueTLS(msp.TLSOptions{Name: "peer0.org1.example.com", Hosts: hosts, Validity: year()})
	if err != nil {
		t.Fatal(err)
	}
	cert := leaf.Cert
	if !slices.Equal(cert.DNSNames, []string{"peer0.org1.example.com", "peer0"}) {
		t.Errorf("DNS SANs = %v", cert.DNSNames)
	}
	if len(cert.IPAddresses) != 2 || !cert.IPAddresses[0].Equal(net.ParseIP("10.0.0.7")) || !cert.IPAddresses[1].Equal(net.IPv6loopback) {
		t.Errorf("IP SANs = %v", cert.IPAddresses)
	}
	if cert.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment {
		t.Errorf("KeyUsage = %b", cert.KeyUsage)
	}
	if !slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}) {
		t.Errorf("ExtKeyUsage = %v", cert.ExtKeyUsage)
	}
	if len(cert.Subject.OrganizationalUnit) != 0 {
		t.Errorf("a TLS certificate carries OUs %v", cert.Subject.OrganizationalUnit)
	}
	m := parseMSP(t, org)
	if err := m.VerifyTLS(cert, t0, hosts...); err != nil {
		t.Errorf("VerifyTLS: %v", err)
	}
	if err := m.VerifyTLS(cert, t0, "peer1.org1.example.com"); err == nil {
		t.Error("VerifyTLS accepted a host missing from the SANs")
	}
	// The signing CA does not vouch for TLS: the two are separate.
	if _, err := fabricChains(cert, org.CA.Cert); err == nil {
		t.Error("the TLS certificate chains to the signing CA")
	}
}

func TestTLSCertificateWithoutHostsIsRefused(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	for _, hosts := range [][]string{nil, {""}, {"peer0", ""}} {
		if _, err := org.TLSCA.IssueTLS(msp.TLSOptions{Name: "peer0", Hosts: hosts, Validity: year()}); err == nil {
			t.Errorf("hosts %q: a TLS certificate missing a SAN was issued", hosts)
		}
	}
}

// A signing identity has no ServerAuth/ClientAuth EKU of its own but its CA's EKUs
// allow both, so it is not a TLS certificate only because of its issuer: verified
// against the TLS CAs it fails.
func TestSigningIdentityIsNotATLSCertificate(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	peer := issueSigning(t, org.CA, "peer0", msp.RolePeer)
	if err := parseMSP(t, org).VerifyTLS(peer.Cert, t0); err == nil {
		t.Error("a signing identity passed as a TLS certificate")
	}
}
