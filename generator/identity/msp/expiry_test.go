package msp_test

import (
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
)

// Fabric checks an identity's chain at its NotBefore plus one second (Fabric v2.5.16
// msp/mspimplvalidate.go getValidityOptsForCert, FAB-3678), so the chain check alone
// never sees expiry. Expiry is refused elsewhere: a node will not start with an expired
// signing identity (msp/mspimplsetup.go setupSigningIdentity) and orderers reject
// expired submitters (orderer/common/msgprocessor/expiration.go, v2.5.16 and v3.1.5).
// VerifySigning does both.
func TestExpiredIdentityIsRejected(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	peer := issueSigning(t, org.CA, "peer0", msp.RolePeer).Cert
	after := peer.NotAfter.Add(time.Second)
	if _, err := fabricChains(peer, org.CA.Cert); err != nil {
		t.Fatalf("the chain check, at NotBefore, should pass: %v", err)
	}
	m := parseMSP(t, org)
	if _, err := m.VerifySigning(peer, after); err == nil {
		t.Error("VerifySigning accepted an expired identity")
	}
	if _, err := m.VerifySigning(peer, peer.NotAfter.Add(-time.Second)); err != nil {
		t.Errorf("a second before expiry: %v", err)
	}
	tls, err := org.TLSCA.IssueTLS(msp.TLSOptions{Name: "peer0", Hosts: []string{"peer0"}, Validity: year()})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.VerifyTLS(tls.Cert, after); err == nil {
		t.Error("VerifyTLS accepted an expired TLS certificate")
	}
}

func TestIssuanceRefusesDeadOrMisplacedValidity(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	for name, v := range map[string]msp.Validity{
		"already over":         {NotBefore: t0.AddDate(-1, 0, 0), NotAfter: t0.Add(-time.Second)},
		"inverted":             {NotBefore: t0.Add(time.Hour), NotAfter: t0},
		"empty":                {},
		"before the CA starts": {NotBefore: org.CA.Cert.NotBefore.Add(-time.Second), NotAfter: t0.AddDate(1, 0, 0)},
		"after the CA ends":    {NotBefore: t0, NotAfter: org.CA.Cert.NotAfter.Add(time.Second)},
	} {
		if _, err := org.CA.IssueSigning(msp.SigningOptions{Name: "p", Role: msp.RolePeer, Validity: v}); err == nil {
			t.Errorf("%s: issued", name)
		}
	}
	if _, err := msp.NewCA(msp.CAOptions{MSPID: "X", CommonName: "ca.x", Validity: msp.Validity{NotBefore: t0.AddDate(-2, 0, 0), NotAfter: t0.AddDate(-1, 0, 0)}, Clock: clock}); err == nil {
		t.Error("an expired CA was created")
	}
}
