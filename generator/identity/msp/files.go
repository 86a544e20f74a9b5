package msp

import (
	"crypto/x509"
	"errors"
	"fmt"
	"path"
	"strings"

	"sigs.k8s.io/yaml"
)

// The layout of an MSP directory (msp/configbuilder.go constants). admincerts/ is not
// written: with NodeOUs an identity with the admin OU is an admin
// (msp/mspimplsetup.go setupAdminsV142 needs no admin certificate then).
const (
	CACertsDir    = "cacerts"
	TLSCACertsDir = "tlscacerts"
	SignCertsDir  = "signcerts"
	ConfigFile    = "config.yaml"
)

// Config is config.yaml of an MSP directory. Field names and YAML keys are those of
// Fabric's msp.Configuration (msp/configbuilder.go), which it is read into.
type Config struct {
	NodeOUs *NodeOUs `json:"NodeOUs,omitempty"`
}

// NodeOUs is msp.NodeOUs: how Fabric tells clients, peers, admins and orderers apart.
type NodeOUs struct {
	Enable              bool          `json:"Enable,omitempty"`
	ClientOUIdentifier  *OUIdentifier `json:"ClientOUIdentifier,omitempty"`
	PeerOUIdentifier    *OUIdentifier `json:"PeerOUIdentifier,omitempty"`
	AdminOUIdentifier   *OUIdentifier `json:"AdminOUIdentifier,omitempty"`
	OrdererOUIdentifier *OUIdentifier `json:"OrdererOUIdentifier,omitempty"`
}

// OUIdentifier is msp.OrganizationalUnitIdentifiersConfiguration: an OU and the CA
// certificate (a path inside the MSP directory) that must have issued it.
type OUIdentifier struct {
	Certificate                  string `json:"Certificate,omitempty"`
	OrganizationalUnitIdentifier string `json:"OrganizationalUnitIdentifier,omitempty"`
}

// identifier returns the entry for one role.
func (n *NodeOUs) identifier(role Role) *OUIdentifier {
	switch role {
	case RoleClient:
		return n.ClientOUIdentifier
	case RolePeer:
		return n.PeerOUIdentifier
	case RoleAdmin:
		return n.AdminOUIdentifier
	case RoleOrderer:
		return n.OrdererOUIdentifier
	}
	return nil
}

// NodeOUConfig enables NodeOUs with the four roles, each tied to the CA certificate
// at caFile, as cryptogen's exportConfig does.
func NodeOUConfig(caFile string) Config {
	id := func(role Role) *OUIdentifier {
		return &OUIdentifier{Certificate: caFile, OrganizationalUnitIdentifier: string(role)}
	}
	return Config{NodeOUs: &NodeOUs{
		Enable:              true,
		ClientOUIdentifier:  id(RoleClient),
		PeerOUIdentifier:    id(RolePeer),
		AdminOUIdentifier:   id(RoleAdmin),
		OrdererOUIdentifier: id(RoleOrderer),
	}}
}

// CertFile is the conventional file name of a certificate in an MSP directory
// (cryptogen's x509Filename): "<common name>-cert.pem".
func CertFile(dir string, cert *x509.Certificate) (string, error) {
	cn := cert.Subject.CommonName
	if cn == "" || strings.ContainsAny(cn, `/\`) || cn == "." || cn == ".." {
		return "", fmt.Errorf("common name %q cannot name a file", cn)
	}
	return path.Join(dir, cn+"-cert.pem"), nil
}

// Files returns the public files of an MSP directory, path → bytes: the signing CA in
// cacerts/, the TLS CA in tlscacerts/, config.yaml enabling NodeOUs, and signCert in
// signcerts/ when given (an organisation's MSP in a channel has none; a node's local
// MSP has its own). The private key is not among them: it is the caller's to seal.
func Files(ca, tlsCA, signCert *x509.Certificate) (map[string][]byte, error) {
	if ca == nil || tlsCA == nil {
		return nil, errors.New("an MSP needs its CA and its TLS CA")
	}
	caFile, err := CertFile(CACertsDir, ca)
	if err != nil {
		return nil, err
	}
	tlsFile, err := CertFile(TLSCACertsDir, tlsCA)
	if err != nil {
		return nil, err
	}
	config, err := yaml.Marshal(NodeOUConfig(caFile))
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{
		caFile:     CertPEM(ca),
		tlsFile:    CertPEM(tlsCA),
		ConfigFile: config,
	}
	if signCert != nil {
		signFile, err := CertFile(SignCertsDir, signCert)
		if err != nil {
			return nil, err
		}
		files[signFile] = CertPEM(signCert)
	}
	return files, nil
}
