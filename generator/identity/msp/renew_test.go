package msp_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
)

// later is a renewal window: starts in a month, ends within the CA's life.
func later() msp.Validity {
	return msp.Validity{NotBefore: t0.AddDate(0, 1, 0), NotAfter: t0.AddDate(2, 0, 0)}
}

// Renewal re-issues for the same key, so a node's identity (its public key and, for
// the holder, its sealed private key) survives; only serial and validity change.
func TestRenewLeafKeepsTheKeyAndChangesTheValidity(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	peer := issueSigning(t, org.CA, "peer0", msp.RolePeer)
	tls, err := org.TLSCA.IssueTLS(msp.TLSOptions{Name: "peer0", Hosts: []string{"peer0.org1", "10.1.2.3"}, Validity: year()})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ca   *msp.CA
		leaf *msp.Leaf
	}{{org.CA, peer}, {org.TLSCA, tls}} {
		old := tc.leaf.Cert
		renewed, err := tc.ca.RenewLeaf(old, later())
		if err != nil {
			t.Fatal(err)
		}
		if !tc.leaf.Key.PublicKey.Equal(renewed.PublicKey) {
			t.Errorf("%s: renewal changed the public key", old.Subject.CommonName)
		}
		if !bytes.Equal(renewed.RawSubject, old.RawSubject) || renewed.KeyUsage != old.KeyUsage ||
			!slices.Equal(renewed.ExtKeyUsage, old.ExtKeyUsage) || !slices.Equal(renewed.DNSNames, old.DNSNames) ||
			len(renewed.IPAddresses) != len(old.IPAddresses) {
			t.Errorf("%s: renewal changed subject, usages or names", old.Subject.CommonName)
		}
		if renewed.SerialNumber.Cmp(old.SerialNumber) == 0 {
			t.Errorf("%s: renewal kept the serial", old.Subject.CommonName)
		}
		if !renewed.NotBefore.Equal(later().NotBefore) || !renewed.NotAfter.Equal(later().NotAfter) {
			t.Errorf("%s: renewed validity %s–%s", old.Subject.CommonName, renewed.NotBefore, renewed.NotAfter)
		}
	}
	renewed, err := org.CA.RenewLeaf(peer.Cert, later())
	if err != nil {
		t.Fatal(err)
	}
	if role, err := parseMSP(t, org).VerifySigning(renewed, later().NotBefore.Add(time.Hour)); err != nil || role != msp.RolePeer {
		t.Errorf("renewed identity: %s, %v", role, err)
	}
}

func TestRenewLeafRefusesWhatItCannotRenew(t *testing.T) {
	org, org2 := newOrg(t, "Org1MSP"), newOrg(t, "Org2MSP")
	peer := issueSigning(t, org.CA, "peer0", msp.RolePeer).Cert
	if _, err := org2.CA.RenewLeaf(peer, later()); err == nil {
		t.Error("Org2's CA renewed Org1's identity")
	}
	beyond := msp.Validity{NotBefore: t0, NotAfter: org.CA.Cert.NotAfter.Add(time.Hour)}
	if _, err := org.CA.RenewLeaf(peer, beyond); err == nil || !strings.Contains(err.Error(), "renew the CA first") {
		t.Errorf("renewal past the CA's end: %v", err)
	}
	if _, err := org.CA.RenewLeaf(org.CA.Cert, later()); err == nil {
		t.Error("RenewLeaf renewed a CA")
	}
}

// Re-keying happens only when asked: a given key is kept, none means a new one.
func TestRekeyOnlyWhenAsked(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	first := issueSigning(t, org.CA, "admin", msp.RoleAdmin)
	same, err := org.CA.IssueSigning(msp.SigningOptions{Name: "admin", Role: msp.RoleAdmin, Validity: year(), Key: first.Key})
	if err != nil {
		t.Fatal(err)
	}
	if !same.Key.Equal(first.Key) || !first.Key.PublicKey.Equal(same.Cert.PublicKey) {
		t.Error("issuing with a key did not keep it")
	}
	if fresh := issueSigning(t, org.CA, "admin", msp.RoleAdmin); fresh.Key.Equal(first.Key) {
		t.Error("issuing without a key reused one")
	}
}

// A renewed CA keeps key, subject and Subject Key Identifier, so leaves issued before
// still validate against it alone (Fabric v2.5.16 msp/mspimpl.go getValidationChain).
func TestRenewCAKeepsItsLeavesValid(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	peer := issueSigning(t, org.CA, "peer0", msp.RolePeer).Cert
	renewedCA := renewCA(t, org.CA)
	old := org.CA.Cert
	if !bytes.Equal(renewedCA.Cert.SubjectKeyId, old.SubjectKeyId) || !bytes.Equal(renewedCA.Cert.RawSubject, old.RawSubject) ||
		!renewedCA.Key.Equal(org.CA.Key) || renewedCA.Cert.SerialNumber.Cmp(old.SerialNumber) == 0 {
		t.Error("RenewCA changed key, subject or SKI, or kept the serial")
	}
	org.CA = renewedCA
	if _, err := parseMSP(t, org).VerifySigning(peer, t0); err != nil {
		t.Errorf("a leaf of the old CA certificate fails under the renewed one: %v", err)
	}
	if _, err := fabricChains(peer, renewedCA.Cert); err != nil {
		t.Errorf("Fabric's verification: %v", err)
	}
}

// Fabric v2.5.16 msp/mspimplvalidate.go getValidityOptsForCert checks a chain at the
// leaf's NotBefore plus one second: a CA certificate starting later orphans the leaves
// issued before it, so RenewCA refuses to move NotBefore forward.
func TestRenewCARefusesALaterStart(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	peer := issueSigning(t, org.CA, "peer0", msp.RolePeer).Cert
	start := msp.Validity{NotBefore: t0.AddDate(0, 1, 0), NotAfter: t0.AddDate(20, 0, 0)}
	if _, err := org.CA.RenewCA(start); err == nil {
		t.Fatal("RenewCA moved the CA's start forward")
	}
	// What the refusal prevents: the same key and name, starting later.
	moved, err := msp.NewCA(msp.CAOptions{MSPID: "Org1MSP", CommonName: org.CA.Cert.Subject.CommonName, Validity: start, Key: org.CA.Key, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fabricChains(peer, moved.Cert); err == nil {
		t.Error("Fabric's verification accepted a leaf older than its CA certificate")
	}
}

// Fabric v2.5.16 msp/mspimpl.go getUniqueValidationChain: "this MSP only supports a
// single validation chain". Keeping the old CA certificate beside the renewed one
// gives every leaf two chains; an MSP holds one CA certificate per CA.
func TestOldAndRenewedCATogetherGiveTwoChains(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	peer := issueSigning(t, org.CA, "peer0", msp.RolePeer).Cert
	renewedCA := renewCA(t, org.CA)
	chains, err := fabricChains(peer, org.CA.Cert, renewedCA.Cert)
	if err != nil || len(chains) != 2 {
		t.Fatalf("Fabric's verification = %d chains, %v; want 2", len(chains), err)
	}
	m := parseMSPWithCA(t, org, renewedCA.Cert)
	if _, err := m.VerifySigning(peer, t0); err == nil || !strings.Contains(err.Error(), "single validation chain") {
		t.Errorf("VerifySigning = %v, want the single-chain refusal", err)
	}
}

// renewCA renews ca for ten more years from the same start.
func renewCA(t *testing.T, ca *msp.CA) *msp.CA {
	t.Helper()
	renewed, err := ca.RenewCA(msp.Validity{NotBefore: ca.Cert.NotBefore, NotAfter: t0.AddDate(20, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	return renewed
}
