package msp_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"maps"
	"slices"
	"strings"
	"testing"

	yamlv2 "go.yaml.in/yaml/v2"
	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
)

// fabricConfiguration is Fabric's msp.Configuration with its yaml tags, copied from
// msp/configbuilder.go (v2.5.16, read with gopkg.in/yaml.v2; v3.1.5 reads the same
// struct with go.yaml.in/yaml/v4).
type fabricConfiguration struct {
	OrganizationalUnitIdentifiers []*fabricOUConfig `yaml:"OrganizationalUnitIdentifiers,omitempty"`
	NodeOUs                       *fabricNodeOUs    `yaml:"NodeOUs,omitempty"`
}

type fabricOUConfig struct {
	Certificate                  string `yaml:"Certificate,omitempty"`
	OrganizationalUnitIdentifier string `yaml:"OrganizationalUnitIdentifier,omitempty"`
}

type fabricNodeOUs struct {
	Enable              bool            `yaml:"Enable,omitempty"`
	ClientOUIdentifier  *fabricOUConfig `yaml:"ClientOUIdentifier,omitempty"`
	PeerOUIdentifier    *fabricOUConfig `yaml:"PeerOUIdentifier,omitempty"`
	AdminOUIdentifier   *fabricOUConfig `yaml:"AdminOUIdentifier,omitempty"`
	OrdererOUIdentifier *fabricOUConfig `yaml:"OrdererOUIdentifier,omitempty"`
}

// Fabric v2.5.16 msp/configbuilder.go: the directory names cacerts, tlscacerts,
// signcerts and config.yaml; admincerts is not needed with an admin NodeOU
// (msp/mspimplsetup.go setupAdminsV142).
func TestFilesAreTheMSPPublicLayout(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	peer := issueSigning(t, org.CA, "peer0.org1msp.example.com", msp.RolePeer)
	files, err := org.Files(peer.Cert)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"cacerts/ca.org1msp.example.com-cert.pem",
		"config.yaml",
		"signcerts/peer0.org1msp.example.com-cert.pem",
		"tlscacerts/tlsca.org1msp.example.com-cert.pem",
	}
	if got := slices.Sorted(maps.Keys(files)); !slices.Equal(got, want) {
		t.Fatalf("files = %v, want %v", got, want)
	}
	for name, cert := range map[string]*x509.Certificate{want[0]: org.CA.Cert, want[2]: peer.Cert, want[3]: org.TLSCA.Cert} {
		back, err := msp.ParseCertPEM(files[name])
		if err != nil || !back.Equal(cert) {
			t.Errorf("%s does not hold its certificate: %v", name, err)
		}
	}
	for name, data := range files {
		if bytes.Contains(data, []byte("PRIVATE KEY")) {
			t.Errorf("%s holds a private key", name)
		}
	}
}

// Fabric v2.5.16 msp/configbuilder.go getMspConfig reads config.yaml into
// msp.Configuration and loads each NodeOU's Certificate relative to the MSP directory.
func TestConfigYAMLReadsAsFabricConfiguration(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	files, err := org.Files(nil)
	if err != nil {
		t.Fatal(err)
	}
	var v2, v3 fabricConfiguration
	if err := yamlv2.UnmarshalStrict(files["config.yaml"], &v2); err != nil {
		t.Fatal(err)
	}
	if err := yamlv3.Unmarshal(files["config.yaml"], &v3); err != nil {
		t.Fatal(err)
	}
	for _, config := range []fabricConfiguration{v2, v3} {
		n := config.NodeOUs
		if n == nil || !n.Enable {
			t.Fatalf("NodeOUs not enabled:\n%s", files["config.yaml"])
		}
		for role, id := range map[string]*fabricOUConfig{"client": n.ClientOUIdentifier, "peer": n.PeerOUIdentifier, "admin": n.AdminOUIdentifier, "orderer": n.OrdererOUIdentifier} {
			if id == nil || id.OrganizationalUnitIdentifier != role {
				t.Errorf("%s NodeOU = %+v", role, id)
				continue
			}
			if id.Certificate != "cacerts/ca.org1msp.example.com-cert.pem" || files[id.Certificate] == nil {
				t.Errorf("%s NodeOU points at %q, not the CA file", role, id.Certificate)
			}
		}
	}
}

// What Fabric's setup refuses, ParseMSP refuses: no CA (msp/configbuilder.go
// getMspConfig), a CA without the CA attribute or a Subject Key Identifier
// (msp/mspimplsetup.go finalizeSetupCAs, setupTLSCAs), a NodeOU tied to a certificate
// outside cacerts/ (getCertifiersIdentifier), no admin NodeOU and no admincerts
// (setupAdminsV142). It is stricter in two ways: NodeOUs are required, and a file with
// data after its certificate is refused where Fabric would silently read the first
// block only (msp/configbuilder.go readPemFile).
func TestParseMSPRefusesWhatFabricRefuses(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	good, err := org.Files(nil)
	if err != nil {
		t.Fatal(err)
	}
	caFile := "cacerts/ca.org1msp.example.com-cert.pem"
	peer := issueSigning(t, org.CA, "peer0", msp.RolePeer)
	for name, change := range map[string]func(map[string][]byte){
		"no config.yaml":   func(f map[string][]byte) { delete(f, "config.yaml") },
		"NodeOUs disabled": func(f map[string][]byte) { f["config.yaml"] = []byte("NodeOUs:\n  Enable: false\n") },
		"no admin NodeOU": func(f map[string][]byte) {
			config := msp.NodeOUConfig(caFile)
			config.NodeOUs.AdminOUIdentifier = nil
			f["config.yaml"] = mustYAML(t, config)
		},
		"NodeOU tied to the TLS CA": func(f map[string][]byte) {
			f["config.yaml"] = bytes.ReplaceAll(f["config.yaml"], []byte("cacerts/ca."), []byte("tlscacerts/tlsca."))
		},
		"no CA":                 func(f map[string][]byte) { delete(f, caFile) },
		"a leaf in cacerts":     func(f map[string][]byte) { f["cacerts/peer0-cert.pem"] = msp.CertPEM(peer.Cert) },
		"a CA without SKI":      func(f map[string][]byte) { f[caFile] = msp.CertPEM(withoutSKI(t, org.CA)) },
		"trailing data in a CA": func(f map[string][]byte) { f[caFile] = append(slices.Clone(f[caFile]), f[caFile]...) },
	} {
		files := maps.Clone(good)
		change(files)
		if _, err := msp.ParseMSP(files); err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func mustYAML(t *testing.T, v any) []byte {
	t.Helper()
	data, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// withoutSKI re-signs ca's certificate with its Subject Key Identifier removed, which
// crypto/x509 will not produce for a CA. It uses Fabric's msp/cert.go structures.
func withoutSKI(t *testing.T, ca *msp.CA) *x509.Certificate {
	t.Helper()
	var c fabricCertificate
	if _, err := asn1.Unmarshal(ca.Cert.Raw, &c); err != nil {
		t.Fatal(err)
	}
	c.TBSCertificate.Extensions = slices.DeleteFunc(c.TBSCertificate.Extensions, func(e pkix.Extension) bool {
		return e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 14})
	})
	c.TBSCertificate.Raw = nil
	tbs, err := asn1.Marshal(c.TBSCertificate)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(tbs)
	sig, err := lowSOnly(ca).Sign(rand.Reader, digest[:], nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SignatureValue = asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}
	c.Raw = nil
	der, err := asn1.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.SubjectKeyId) != 0 || cert.CheckSignatureFrom(cert) != nil {
		t.Fatal("could not strip the SKI")
	}
	return cert
}

// Private keys leave the package only as PKCS#8 PEM, for the caller to seal.
func TestKeyPEMIsPKCS8(t *testing.T) {
	org := newOrg(t, "Org1MSP")
	leaf := issueSigning(t, org.CA, "peer0", msp.RolePeer)
	data, err := msp.KeyPEM(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "-----BEGIN PRIVATE KEY-----\n") {
		t.Errorf("not a PKCS#8 PEM block:\n%.40s", data)
	}
	back, err := msp.ParseKeyPEM(data)
	if err != nil || !back.Equal(leaf.Key) {
		t.Errorf("key does not read back: %v", err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := msp.KeyPEM(p384)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := msp.ParseKeyPEM(other); err == nil {
		t.Error("a P-384 key was read")
	}
}
