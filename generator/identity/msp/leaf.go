package msp

import (
	"crypto/ecdsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"slices"
)

// Role is a NodeOU: the organisational unit that tells Fabric what a signing identity
// is (msp/mspimplvalidate.go validateIdentityOUsV142). The values are the ones
// cryptogen writes and config.yaml maps.
type Role string

const (
	RolePeer    Role = "peer"
	RoleOrderer Role = "orderer"
	RoleAdmin   Role = "admin"
	RoleClient  Role = "client"
)

// Roles lists every NodeOU, in the order config.yaml names them.
var Roles = []Role{RoleClient, RolePeer, RoleAdmin, RoleOrderer}

// Leaf is an issued end-entity certificate with its key.
type Leaf struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
}

// SigningOptions describes a signing identity (what goes into signcerts/).
type SigningOptions struct {
	// Name is the common name: the node or user name.
	Name     string
	Role     Role
	Validity Validity
	// Key is the identity's key; a new P-256 key is made when nil (re-keying).
	Key *ecdsa.PrivateKey
}

// TLSOptions describes a TLS certificate.
type TLSOptions struct {
	Name string
	// Hosts are every DNS name and IP address other parties dial; each becomes a SAN.
	// Go's TLS ignores the common name, so a name missing here cannot be dialled.
	Hosts    []string
	Validity Validity
	Key      *ecdsa.PrivateKey
}

// signingKeyUsage is cryptogen's for signing identities
// (internal/cryptogen/msp/msp.go GenerateLocalMSP): no extended key usage at all, since
// Fabric verifies with Go's default (ServerAuth) and an EKU without it is refused.
const signingKeyUsage = x509.KeyUsageDigitalSignature

// tlsKeyUsage and tlsExtKeyUsage are cryptogen's for TLS certificates: every node
// is both a TLS server and a client of other nodes.
const tlsKeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment

var tlsExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}

// IssueSigning issues a signing identity carrying exactly one NodeOU.
func (ca *CA) IssueSigning(opts SigningOptions) (*Leaf, error) {
	if opts.Name == "" {
		return nil, errors.New("a signing identity needs a name")
	}
	if !slices.Contains(Roles, opts.Role) {
		return nil, fmt.Errorf("identity %s: role %q is not one of %v", opts.Name, opts.Role, Roles)
	}
	template := &x509.Certificate{
		Subject:               ca.leafSubject(opts.Name, []string{string(opts.Role)}),
		KeyUsage:              signingKeyUsage,
		BasicConstraintsValid: true,
	}
	return ca.issue(template, opts.Key, opts.Validity)
}

// IssueTLS issues a TLS certificate with a SAN for every host.
func (ca *CA) IssueTLS(opts TLSOptions) (*Leaf, error) {
	if opts.Name == "" {
		return nil, errors.New("a TLS certificate needs a name")
	}
	if len(opts.Hosts) == 0 {
		return nil, fmt.Errorf("TLS certificate %s: no host names or addresses to put in its SANs", opts.Name)
	}
	template := &x509.Certificate{
		Subject:               ca.leafSubject(opts.Name, nil),
		KeyUsage:              tlsKeyUsage,
		ExtKeyUsage:           tlsExtKeyUsage,
		BasicConstraintsValid: true,
	}
	for _, host := range opts.Hosts {
		switch ip := net.ParseIP(host); {
		case ip != nil:
			template.IPAddresses = append(template.IPAddresses, ip)
		case host == "":
			return nil, fmt.Errorf("TLS certificate %s: empty host name", opts.Name)
		default:
			template.DNSNames = append(template.DNSNames, host)
		}
	}
	return ca.issue(template, opts.Key, opts.Validity)
}

// RenewLeaf re-issues a certificate this CA issued, for the same public key, subject,
// usages and names, with a new validity. The holder keeps its key, so its identity
// survives: nothing needs re-sealing. Re-keying is IssueSigning or IssueTLS with no Key.
func (ca *CA) RenewLeaf(old *x509.Certificate, v Validity) (*x509.Certificate, error) {
	if old.IsCA {
		return nil, errors.New("RenewLeaf renews leaves; renew a CA with RenewCA")
	}
	if err := old.CheckSignatureFrom(ca.Cert); err != nil {
		return nil, fmt.Errorf("certificate %s was not issued by CA %s: %w", old.Subject.CommonName, ca.Cert.Subject.CommonName, err)
	}
	pub, err := checkKey(old.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", old.Subject.CommonName, err)
	}
	if err := ca.checkLeafValidity(v); err != nil {
		return nil, fmt.Errorf("certificate %s: %w", old.Subject.CommonName, err)
	}
	return create(renewalTemplate(old), ca.Cert, pub, ca.Key, v)
}

func (ca *CA) issue(template *x509.Certificate, key *ecdsa.PrivateKey, v Validity) (*Leaf, error) {
	name := template.Subject.CommonName
	if err := ca.checkLeafValidity(v); err != nil {
		return nil, fmt.Errorf("certificate %s: %w", name, err)
	}
	if key == nil {
		var err error
		if key, err = newKey(); err != nil {
			return nil, err
		}
	} else if _, err := checkKey(&key.PublicKey); err != nil {
		return nil, fmt.Errorf("certificate %s: %w", name, err)
	}
	cert, err := create(template, ca.Cert, &key.PublicKey, ca.Key, v)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", name, err)
	}
	return &Leaf{Cert: cert, Key: key}, nil
}

func (ca *CA) checkLeafValidity(v Validity) error {
	if err := v.check(ca.Clock.now()); err != nil {
		return err
	}
	return v.within(ca.validity())
}

// leafSubject names a leaf conventionally: CN the node or user, O the MSP ID of the
// issuing CA, and the NodeOU (if any) as the only OU.
func (ca *CA) leafSubject(name string, ous []string) pkix.Name {
	return pkix.Name{
		Organization:       ca.Cert.Subject.Organization,
		OrganizationalUnit: ous,
		CommonName:         name,
	}
}
