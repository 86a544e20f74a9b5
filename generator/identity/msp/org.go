package msp

import (
	"crypto/x509"
	"errors"
	"strings"
)

// Org is one organisation's pair of CAs.
type Org struct {
	MSPID string
	CA    *CA
	TLSCA *CA
}

// OrgOptions describes an organisation to create.
type OrgOptions struct {
	MSPID string
	// Domain names the CAs "ca.<domain>" and "tlsca.<domain>", cryptogen's names;
	// the lower-cased MSP ID when empty.
	Domain   string
	Validity Validity
	Clock    Clock
}

// NewOrg creates an organisation's signing CA and its separate TLS CA, each with its
// own key.
func NewOrg(opts OrgOptions) (*Org, error) {
	if opts.MSPID == "" {
		return nil, errors.New("an organisation needs an MSP ID")
	}
	domain := opts.Domain
	if domain == "" {
		domain = strings.ToLower(opts.MSPID)
	}
	ca, err := NewCA(CAOptions{MSPID: opts.MSPID, CommonName: "ca." + domain, Validity: opts.Validity, Clock: opts.Clock})
	if err != nil {
		return nil, err
	}
	tlsCA, err := NewCA(CAOptions{MSPID: opts.MSPID, CommonName: "tlsca." + domain, Validity: opts.Validity, Clock: opts.Clock})
	if err != nil {
		return nil, err
	}
	return &Org{MSPID: opts.MSPID, CA: ca, TLSCA: tlsCA}, nil
}

// Files returns the organisation's MSP directory, with signCert in signcerts/ when
// given (see Files).
func (o *Org) Files(signCert *x509.Certificate) (map[string][]byte, error) {
	return Files(o.CA.Cert, o.TLSCA.Cert, signCert)
}
