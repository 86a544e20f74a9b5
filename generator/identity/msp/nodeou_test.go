package msp_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
)

// Fabric v2.5.16 and v3.1.5 msp/mspimplvalidate.go validateIdentityOUsV142: with
// NodeOUs enabled an identity is a client, peer, admin or orderer by its one NodeOU
// (msp/mspimpl.go hasOURoleInternal reads the same OU).
func TestEachRoleIsClassifiedByItsNodeOU(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	m := parseMSP(t, org)
	for _, role := range msp.Roles {
		got, err := m.VerifySigning(issueSigning(t, org.CA, "n-"+string(role), role).Cert, t0)
		if err != nil {
			t.Fatalf("%s: %v", role, err)
		}
		if got != role {
			t.Errorf("classified as %s, want %s", got, role)
		}
	}
}

// Fabric v2.5.16 msp/mspimplvalidate.go validateIdentityOUsV142: "the identity does not
// have an OU that resolves to client, peer, orderer, or admin role" (none) and "not a
// combination of them" (two). OUs that are not NodeOUs are skipped.
func TestIdentityNeedsExactlyOneNodeOU(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	m := parseMSP(t, org)
	for _, tc := range []struct {
		ous  []string
		want msp.Role // empty: rejected
	}{
		{ous: nil},
		{ous: []string{"department1"}},
		{ous: []string{"peer", "client"}},
		{ous: []string{"admin", "orderer"}},
		{ous: []string{"peer", "department1"}, want: msp.RolePeer},
	} {
		leaf := signWith(t, &x509.Certificate{
			Subject:  pkix.Name{CommonName: "n", Organization: []string{"Org1MSP"}, OrganizationalUnit: tc.ous},
			KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true,
		}, org.CA, lowSOnly(org.CA))
		got, err := m.VerifySigning(leaf, t0)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("OUs %v: accepted as %s", tc.ous, got)
		case tc.want != "" && (err != nil || got != tc.want):
			t.Errorf("OUs %v: got %q, %v; want %s", tc.ous, got, err, tc.want)
		}
	}
	if _, err := org.CA.IssueSigning(msp.SigningOptions{Name: "n", Role: "member", Validity: year()}); err == nil {
		t.Error("IssueSigning made an identity with no NodeOU")
	}
}

// Fabric v2.5.16 msp/mspimpl.go getUniqueValidationChain: a leaf of another
// organisation's CA has no chain to this MSP's roots.
func TestLeafFromAnotherOrgIsRejected(t *testing.T) {
	org1, org2 := newOrg(t, "Org1MSP"), newOrg(t, "Org2MSP")
	foreign := issueSigning(t, org2.CA, "peer0.org2", msp.RolePeer).Cert
	_, err := fabricChains(foreign, org1.CA.Cert)
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("Fabric's verification = %v, want unknown authority", err)
	}
	if _, err := parseMSP(t, org1).VerifySigning(foreign, t0); err == nil {
		t.Error("Org1's MSP accepted Org2's peer")
	}
	// Org2's TLS CA does not vouch for an Org1 TLS certificate either.
	tls, err := org1.TLSCA.IssueTLS(msp.TLSOptions{Name: "peer0", Hosts: []string{"peer0.org1"}, Validity: year()})
	if err != nil {
		t.Fatal(err)
	}
	if err := parseMSP(t, org2).VerifyTLS(tls.Cert, t0); err == nil {
		t.Error("Org2's TLS CA accepted Org1's TLS certificate")
	}
}

// Fabric v2.5.16 msp/mspimplvalidate.go validateIdentityOUsV142: a NodeOU tied to a CA
// certificate in config.yaml only counts when that CA issued the identity
// ("certifiersIdentifier does not match"; msp/mspimplsetup.go getCertifiersIdentifier).
func TestNodeOUCountsOnlyFromTheCATheConfigNames(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	other, err := msp.NewCA(msp.CAOptions{MSPID: "Org1MSP", CommonName: "ca2.org1", Validity: caValidity(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	m := parseMSPWithCA(t, org, other.Cert)
	leaf := issueSigning(t, other, "peer9", msp.RolePeer).Cert
	if _, err := fabricChains(leaf, org.CA.Cert, other.Cert); err != nil {
		t.Fatalf("the leaf should chain to the second CA: %v", err)
	}
	if _, err := m.VerifySigning(leaf, t0); err == nil || !strings.Contains(err.Error(), "certifiersIdentifier") {
		t.Errorf("VerifySigning = %v, want a certifiers identifier mismatch", err)
	}
}
