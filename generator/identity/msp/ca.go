package msp

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// CA is a self-signed certificate authority of one organisation together with its key.
// An organisation has two: one for signing identities (cacerts/) and one for TLS
// (tlscacerts/), so a leaked TLS key cannot mint identities.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	// Clock is what issuance is checked against; the system clock when nil.
	Clock Clock
}

// CAOptions describes a CA to create.
type CAOptions struct {
	// MSPID becomes the subject's Organization.
	MSPID string
	// CommonName names the CA, conventionally "ca.<domain>" or "tlsca.<domain>".
	CommonName string
	Validity   Validity
	// Key is the CA's key; a new P-256 key is made when nil.
	Key   *ecdsa.PrivateKey
	Clock Clock
}

// caKeyUsage is the cryptogen CA profile (internal/cryptogen/ca/ca.go NewCA).
const caKeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment |
	x509.KeyUsageCertSign | x509.KeyUsageCRLSign

// caExtKeyUsage includes ServerAuth: Fabric verifies every chain with Go's default
// usage, ServerAuth, and Go requires each EKU in the chain to allow it.
var caExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth}

// NewCA creates a self-signed CA.
func NewCA(opts CAOptions) (*CA, error) {
	if opts.MSPID == "" || opts.CommonName == "" {
		return nil, errors.New("a CA needs an MSP ID and a common name")
	}
	if err := opts.Validity.check(opts.Clock.now()); err != nil {
		return nil, fmt.Errorf("CA %s: %w", opts.CommonName, err)
	}
	key := opts.Key
	if key == nil {
		var err error
		if key, err = newKey(); err != nil {
			return nil, err
		}
	} else if _, err := checkKey(&key.PublicKey); err != nil {
		return nil, fmt.Errorf("CA %s: %w", opts.CommonName, err)
	}
	template := &x509.Certificate{
		Subject:               pkix.Name{Organization: []string{opts.MSPID}, CommonName: opts.CommonName},
		KeyUsage:              caKeyUsage,
		ExtKeyUsage:           caExtKeyUsage,
		BasicConstraintsValid: true,
		IsCA:                  true,
		// The Subject Key Identifier is left to crypto/x509, which derives it from the
		// public key for every CA template; Fabric refuses a CA without one
		// (msp/mspimplsetup.go finalizeSetupCAs, setupTLSCAs).
	}
	cert, err := selfSign(template, key, opts.Validity)
	if err != nil {
		return nil, fmt.Errorf("CA %s: %w", opts.CommonName, err)
	}
	return &CA{Cert: cert, Key: key, Clock: opts.Clock}, nil
}

// RenewCA re-issues the CA certificate for the same key, subject and Subject Key
// Identifier with a new validity, so every leaf it issued still chains to it.
//
// The new window may not start later than the current one. Fabric validates each
// identity's chain at that identity's NotBefore plus one second
// (msp/mspimplvalidate.go getValidityOptsForCert): a CA certificate that starts later
// would orphan every leaf issued before it, and keeping the old CA certificate beside
// the new one gives Fabric two validation chains, which it refuses
// (msp/mspimpl.go getUniqueValidationChain).
func (ca *CA) RenewCA(v Validity) (*CA, error) {
	if v.NotBefore.After(ca.Cert.NotBefore) {
		return nil, fmt.Errorf("CA %s: a renewed CA must not start after %s, or leaves issued before would no longer validate in Fabric",
			ca.Cert.Subject.CommonName, ca.Cert.NotBefore.UTC().Format(time.RFC3339))
	}
	if err := v.check(ca.Clock.now()); err != nil {
		return nil, fmt.Errorf("CA %s: %w", ca.Cert.Subject.CommonName, err)
	}
	template := renewalTemplate(ca.Cert)
	template.IsCA = true
	template.MaxPathLen, template.MaxPathLenZero = ca.Cert.MaxPathLen, ca.Cert.MaxPathLenZero
	cert, err := selfSign(template, ca.Key, v)
	if err != nil {
		return nil, fmt.Errorf("CA %s: %w", ca.Cert.Subject.CommonName, err)
	}
	return &CA{Cert: cert, Key: ca.Key, Clock: ca.Clock}, nil
}

func (ca *CA) validity() Validity {
	return Validity{NotBefore: ca.Cert.NotBefore, NotAfter: ca.Cert.NotAfter}
}

func selfSign(template *x509.Certificate, key *ecdsa.PrivateKey, v Validity) (*x509.Certificate, error) {
	return create(template, template, &key.PublicKey, key, v)
}

// create signs template with the parent's key, a fresh serial and the given validity.
func create(template, parent *x509.Certificate, pub *ecdsa.PublicKey, signer *ecdsa.PrivateKey, v Validity) (*x509.Certificate, error) {
	serial, err := newSerial()
	if err != nil {
		return nil, err
	}
	template.SerialNumber = serial
	template.NotBefore, template.NotAfter = v.NotBefore.UTC(), v.NotAfter.UTC()
	der, err := x509.CreateCertificate(rand.Reader, template, parent, pub, lowSSigner{signer})
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// newSerial draws a random positive 128-bit serial, as cryptogen does, so two
// certificates for the same subject never share one.
func newSerial() (*big.Int, error) {
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	for {
		n, err := rand.Int(rand.Reader, limit)
		if err != nil {
			return nil, err
		}
		if n.Sign() > 0 {
			return n, nil
		}
	}
}

// renewalTemplate copies what makes a certificate the same identity: subject, usages,
// names and key identifier. Serial and validity are set anew by create.
func renewalTemplate(old *x509.Certificate) *x509.Certificate {
	return &x509.Certificate{
		// The raw subject keeps the exact bytes leaves name as their issuer.
		RawSubject:            old.RawSubject,
		KeyUsage:              old.KeyUsage,
		ExtKeyUsage:           old.ExtKeyUsage,
		BasicConstraintsValid: old.BasicConstraintsValid,
		SubjectKeyId:          old.SubjectKeyId,
		DNSNames:              old.DNSNames,
		IPAddresses:           old.IPAddresses,
	}
}
