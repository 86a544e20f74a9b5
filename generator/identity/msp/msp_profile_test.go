package msp_test

import (
	"crypto/elliptic"
	"crypto/x509"
	"math/big"
	"slices"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
)

// Fabric v2.5.16 and v3.1.5 msp/mspimplsetup.go finalizeSetupCAs (signing CAs) and
// setupTLSCAs (TLS CAs): a CA certificate must have IsCA and a Subject Key Identifier.
// The usages are the cryptogen CA profile (internal/cryptogen/ca/ca.go NewCA).
func TestCAsHaveTheCryptogenProfile(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	for _, ca := range []*msp.CA{org.CA, org.TLSCA} {
		cert := ca.Cert
		if !cert.IsCA || !cert.BasicConstraintsValid {
			t.Errorf("%s: IsCA=%v BasicConstraintsValid=%v", cert.Subject.CommonName, cert.IsCA, cert.BasicConstraintsValid)
		}
		if len(cert.SubjectKeyId) == 0 {
			t.Errorf("%s: no Subject Key Identifier", cert.Subject.CommonName)
		}
		want := x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		if cert.KeyUsage != want {
			t.Errorf("%s: KeyUsage = %b, want %b", cert.Subject.CommonName, cert.KeyUsage, want)
		}
		if !slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth}) {
			t.Errorf("%s: ExtKeyUsage = %v, want ClientAuth, ServerAuth", cert.Subject.CommonName, cert.ExtKeyUsage)
		}
		if cert.PublicKeyAlgorithm != x509.ECDSA || ca.Key.Curve != elliptic.P256() {
			t.Errorf("%s: key is %v, want ECDSA P-256", cert.Subject.CommonName, cert.PublicKeyAlgorithm)
		}
		if !slices.Equal(cert.Subject.Organization, []string{"Org1MSP"}) {
			t.Errorf("%s: O = %v, want the MSP ID", cert.Subject.CommonName, cert.Subject.Organization)
		}
		if err := cert.CheckSignatureFrom(cert); err != nil {
			t.Errorf("%s is not self-signed: %v", cert.Subject.CommonName, err)
		}
		// Fabric v2.5.16 msp/mspimplvalidate.go validateCAIdentity: a root CA's unique
		// validation chain is itself alone.
		chains, err := fabricChains(cert, cert)
		if err != nil || len(chains) != 1 || len(chains[0]) != 1 {
			t.Errorf("%s: root CA chains = %v, %v; want one chain of length 1", cert.Subject.CommonName, chains, err)
		}
	}
	if org.CA.Key.Equal(org.TLSCA.Key) {
		t.Error("the TLS CA shares the signing CA's key")
	}
	if got := []string{org.CA.Cert.Subject.CommonName, org.TLSCA.Cert.Subject.CommonName}; !slices.Equal(got, []string{"ca.org1msp.example.com", "tlsca.org1msp.example.com"}) {
		t.Errorf("CA names = %v", got)
	}
}

// Fabric v2.5.16 msp/mspimpl.go getUniqueValidationChain (exactly one chain) and
// getValidationChain (length at least 2); the signing profile is cryptogen's
// (internal/cryptogen/msp/msp.go GenerateLocalMSP: DigitalSignature, no EKU).
func TestSigningLeavesHaveTheCryptogenProfile(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	for _, role := range msp.Roles {
		leaf := issueSigning(t, org.CA, string(role)+"0.org1", role)
		cert := leaf.Cert
		if cert.IsCA {
			t.Errorf("%s: leaf is a CA", role)
		}
		if cert.KeyUsage != x509.KeyUsageDigitalSignature {
			t.Errorf("%s: KeyUsage = %b, want DigitalSignature only", role, cert.KeyUsage)
		}
		if len(cert.ExtKeyUsage) != 0 || len(cert.UnknownExtKeyUsage) != 0 {
			t.Errorf("%s: has extended key usages %v %v, want none", role, cert.ExtKeyUsage, cert.UnknownExtKeyUsage)
		}
		if !slices.Equal(cert.Subject.OrganizationalUnit, []string{string(role)}) {
			t.Errorf("%s: OU = %v", role, cert.Subject.OrganizationalUnit)
		}
		if cert.Subject.CommonName != string(role)+"0.org1" || !slices.Equal(cert.Subject.Organization, []string{"Org1MSP"}) {
			t.Errorf("%s: subject = %s", role, cert.Subject)
		}
		if cert.SerialNumber.Sign() <= 0 || cert.SerialNumber.Cmp(limit) >= 0 {
			t.Errorf("%s: serial %v is not a positive 128-bit number", role, cert.SerialNumber)
		}
		if !slices.Equal(cert.AuthorityKeyId, org.CA.Cert.SubjectKeyId) {
			t.Errorf("%s: Authority Key Identifier does not name the CA", role)
		}
		if !cert.NotBefore.Equal(year().NotBefore) || !cert.NotAfter.Equal(year().NotAfter) {
			t.Errorf("%s: validity %s–%s is not the one asked for", role, cert.NotBefore, cert.NotAfter)
		}
		chains, err := fabricChains(cert, org.CA.Cert)
		if err != nil {
			t.Fatalf("%s: Fabric's verification rejects the leaf: %v", role, err)
		}
		if len(chains) != 1 || len(chains[0]) != 2 || !chains[0][1].Equal(org.CA.Cert) {
			t.Errorf("%s: want one chain leaf → CA, got %d chains", role, len(chains))
		}
	}
}

// Fabric v2.5.16 msp/mspimpl.go getCertificationChainForBCCSPIdentity: "An X509
// certificate with Basic Constraint: Certificate Authority equals true cannot be used
// as an identity".
func TestCACannotBeAnIdentity(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	if _, err := parseMSP(t, org).VerifySigning(org.CA.Cert, t0); err == nil {
		t.Error("the CA certificate was accepted as an identity")
	}
}

func TestSerialsDiffer(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	a := issueSigning(t, org.CA, "peer0", msp.RolePeer).Cert
	b := issueSigning(t, org.CA, "peer0", msp.RolePeer).Cert
	if a.SerialNumber.Cmp(b.SerialNumber) == 0 {
		t.Error("two certificates share a serial number")
	}
}

func TestRefusesKeysOtherThanP256(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	key, err := ecdsaKey(elliptic.P384())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.CA.IssueSigning(msp.SigningOptions{Name: "p", Role: msp.RolePeer, Validity: year(), Key: key}); err == nil {
		t.Error("a P-384 key was accepted")
	}
}
