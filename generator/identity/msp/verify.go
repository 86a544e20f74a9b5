package msp

import (
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// MSP is an MSP directory's public files, parsed and checked as Fabric's msp package
// sets one up.
type MSP struct {
	CACerts    []*x509.Certificate
	TLSCACerts []*x509.Certificate
	Config     Config
	// nodeOUCA is, per role, the CA certificate config.yaml ties the role to.
	nodeOUCA map[Role]*x509.Certificate
}

// ParseMSP reads an MSP directory given as path → bytes (as Files returns it). It
// refuses what Fabric's setup refuses and what this package never makes: no CA, a CA
// that is not a CA or lacks a Subject Key Identifier, a config.yaml without the four
// NodeOUs or tying one to a certificate that is not in cacerts/.
func ParseMSP(files map[string][]byte) (*MSP, error) {
	m := &MSP{nodeOUCA: map[Role]*x509.Certificate{}}
	byPath := map[string]*x509.Certificate{}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		dir := path.Dir(name)
		if dir != CACertsDir && dir != TLSCACertsDir {
			continue
		}
		cert, err := ParseCertPEM(files[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if err := checkCA(cert); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		byPath[name] = cert
		if dir == CACertsDir {
			m.CACerts = append(m.CACerts, cert)
		} else {
			m.TLSCACerts = append(m.TLSCACerts, cert)
		}
	}
	// msp/configbuilder.go getMspConfig: "could not load a valid ca certificate".
	if len(m.CACerts) == 0 {
		return nil, errors.New("no CA certificate in " + CACertsDir + "/")
	}
	if len(m.TLSCACerts) == 0 {
		return nil, errors.New("no TLS CA certificate in " + TLSCACertsDir + "/")
	}
	raw, ok := files[ConfigFile]
	if !ok {
		return nil, errors.New("no " + ConfigFile + ": NodeOUs are required, admincerts/ is not supported")
	}
	if err := yaml.UnmarshalStrict(raw, &m.Config); err != nil {
		return nil, fmt.Errorf("%s: %w", ConfigFile, err)
	}
	nodeOUs := m.Config.NodeOUs
	if nodeOUs == nil || !nodeOUs.Enable {
		return nil, errors.New(ConfigFile + ": NodeOUs are not enabled")
	}
	for _, role := range Roles {
		id := nodeOUs.identifier(role)
		if id == nil || id.OrganizationalUnitIdentifier != string(role) {
			return nil, fmt.Errorf("%s: the %s NodeOU must be %q", ConfigFile, role, role)
		}
		// msp/mspimplsetup.go getCertifiersIdentifier: the certificate must be one of
		// the MSP's CA certificates.
		ca, ok := byPath[id.Certificate]
		if !ok || path.Dir(id.Certificate) != CACertsDir {
			return nil, fmt.Errorf("%s: the %s NodeOU names %q, which is not in %s/", ConfigFile, role, id.Certificate, CACertsDir)
		}
		m.nodeOUCA[role] = ca
	}
	return m, nil
}

// checkCA applies msp/mspimplsetup.go finalizeSetupCAs and setupTLSCAs (IsCA, a
// Subject Key Identifier) and this package's profile (P-256, a low-S signature).
func checkCA(cert *x509.Certificate) error {
	if !cert.IsCA {
		return errors.New("CA certificate does not have the CA attribute")
	}
	if len(cert.SubjectKeyId) == 0 {
		return errors.New("CA certificate has no Subject Key Identifier")
	}
	if cert.CheckSignatureFrom(cert) != nil {
		return errors.New("CA certificate is not self-signed: intermediate CAs are not supported")
	}
	return checkProfile(cert, cert)
}

// checkProfile refuses keys Fabric's MSP does not take (ECDSA only before MSP 3.0,
// msp/mspimplvalidate.go validateIdentity in v3.1) and signatures Fabric would
// re-encode (see checkSignature).
func checkProfile(cert, issuer *x509.Certificate) error {
	if _, err := checkKey(cert.PublicKey); err != nil {
		return err
	}
	if cert.SignatureAlgorithm != x509.ECDSAWithSHA256 {
		return fmt.Errorf("signed with %s, want ECDSA-SHA256", cert.SignatureAlgorithm)
	}
	issuerKey, err := checkKey(issuer.PublicKey)
	if err != nil {
		return fmt.Errorf("issuer: %w", err)
	}
	return checkSignature(issuerKey, cert.Signature)
}

// VerifySigning checks a signing identity as Fabric's MSP validates it and returns its
// role. now is when it is used: Fabric checks the chain at the leaf's own NotBefore,
// and expiry separately (a node refuses an expired signing identity at start,
// msp/mspimplsetup.go setupSigningIdentity; orderers refuse expired submitters,
// orderer/common/msgprocessor/expiration.go).
func (m *MSP) VerifySigning(leaf *x509.Certificate, now time.Time) (Role, error) {
	// msp/mspimpl.go getCertificationChainForBCCSPIdentity.
	if leaf.IsCA {
		return "", errors.New("a CA certificate cannot be used as an identity")
	}
	chain, err := m.uniqueChain(leaf)
	if err != nil {
		return "", err
	}
	if err := checkProfile(leaf, chain[1]); err != nil {
		return "", err
	}
	role, err := m.nodeOU(leaf, chain[1])
	if err != nil {
		return "", err
	}
	if !now.Before(leaf.NotAfter) {
		return "", fmt.Errorf("identity %s expired at %s", leaf.Subject.CommonName, leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	return role, nil
}

// uniqueChain is msp/mspimpl.go getValidationChain: Go's verification with the MSP's
// CAs as roots, no intermediates, no key usages (so Go's default, ServerAuth), at the
// leaf's NotBefore plus one second (msp/mspimplvalidate.go getValidityOptsForCert);
// exactly one chain (getUniqueValidationChain), of length at least two.
func (m *MSP) uniqueChain(leaf *x509.Certificate) ([]*x509.Certificate, error) {
	chains, err := leaf.Verify(FabricVerifyOptions(m.CACerts, leaf.NotBefore.Add(time.Second)))
	if err != nil {
		return nil, fmt.Errorf("identity %s is not valid: %w", leaf.Subject.CommonName, err)
	}
	if len(chains) != 1 {
		return nil, fmt.Errorf("identity %s: Fabric supports a single validation chain, got %d", leaf.Subject.CommonName, len(chains))
	}
	if len(chains[0]) < 2 {
		return nil, fmt.Errorf("identity %s: expected a chain of length at least 2, got %d", leaf.Subject.CommonName, len(chains[0]))
	}
	return chains[0], nil
}

// FabricVerifyOptions are the options Fabric's MSP verifies certificates with
// (msp/mspimplsetup.go setupCAs builds them; getValidityOptsForCert sets the time).
// KeyUsages stays empty, which Go reads as ServerAuth: every extended key usage in the
// chain must be absent or allow ServerAuth.
func FabricVerifyOptions(roots []*x509.Certificate, at time.Time) x509.VerifyOptions {
	opts := x509.VerifyOptions{Roots: x509.NewCertPool(), Intermediates: x509.NewCertPool(), CurrentTime: at}
	for _, root := range roots {
		opts.Roots.AddCert(root)
	}
	return opts
}

// nodeOU is msp/mspimplvalidate.go validateIdentityOUsV142: exactly one of the
// subject's OUs must be a NodeOU, and the CA config.yaml ties it to must be the one that
// issued the leaf (Fabric compares certifiers identifiers, hashes of the chain above
// the leaf; with a root CA only, that is the CA certificate itself).
func (m *MSP) nodeOU(leaf, issuer *x509.Certificate) (Role, error) {
	var found []Role
	for _, ou := range leaf.Subject.OrganizationalUnit {
		role := Role(ou)
		ca, ok := m.nodeOUCA[role]
		if !ok {
			continue
		}
		if !ca.Equal(issuer) {
			return "", fmt.Errorf("identity %s: certifiersIdentifier does not match for OU %s", leaf.Subject.CommonName, ou)
		}
		found = append(found, role)
	}
	if len(found) != 1 {
		return "", fmt.Errorf("identity %s must have exactly one NodeOU of %v, has OUs [%s]",
			leaf.Subject.CommonName, Roles, strings.Join(leaf.Subject.OrganizationalUnit, ", "))
	}
	return found[0], nil
}
