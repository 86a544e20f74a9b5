package configtx_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// ca is a test certificate authority: ECDSA P-256 with a Subject Key Identifier, the
// cryptogen profile FABRIC-FACTS.md records (msp/mspimplsetup.go finalizeSetupCAs).
type ca struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newCA(t *testing.T, name string) *ca {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	ski := sha256.Sum256(pub)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name, Organization: []string{name}},
		NotBefore:             time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		SubjectKeyId:          ski[:],
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &ca{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// tlsLeaf issues a TLS certificate for host, as an orderer presents to its consenters.
func (c *ca) tlsLeaf(t *testing.T, host string) []byte {
	t.Helper()
	return c.leaf(t, host, true)
}

// signingLeaf issues a signing certificate, as an orderer signs blocks with: digital
// signature only and no extended key usage (FABRIC-FACTS.md, msp/mspimpl.go).
func (c *ca) signingLeaf(t *testing.T, name string) []byte {
	t.Helper()
	return c.leaf(t, name, false)
}

func (c *ca) leaf(t *testing.T, host string, tls bool) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: host},
		NotBefore:    c.cert.NotBefore,
		NotAfter:     c.cert.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	if tls {
		tmpl.DNSNames = []string{host}
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, &key.PublicKey, c.key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// party is one organization's certificate authorities.
type party struct {
	name  string
	ca    *ca
	tlsCA *ca
}

// network is the test channel: three parties that each run peers (application orgs),
// two of which also run orderers (orderer orgs, three Raft consenters between them).
type network struct {
	channel configtx.Channel
	parties map[string]party
	// consenterTLS maps "host:port" to the TLS certificate its consenter presents.
	consenterTLS map[string][]byte
}

func newNetwork(t *testing.T) network {
	t.Helper()
	n := network{parties: map[string]party{}, consenterTLS: map[string][]byte{}}
	for _, name := range []string{"alpha", "beta", "gamma"} {
		n.parties[name] = party{name: name, ca: newCA(t, name+"-ca"), tlsCA: newCA(t, name+"-tlsca")}
	}
	org := func(p party, mspID string) configtx.Org {
		return configtx.Org{
			MSPID:        mspID,
			RootCerts:    [][]byte{p.ca.pem},
			TLSRootCerts: [][]byte{p.tlsCA.pem},
			NodeOUs:      configtx.StandardNodeOUs(p.ca.pem),
		}
	}
	var consenters []configtx.Consenter
	addConsenter := func(p party, host string, port uint32) {
		cert := p.tlsCA.tlsLeaf(t, host)
		consenters = append(consenters, configtx.Consenter{Host: host, Port: port, ClientTLSCert: cert, ServerTLSCert: cert})
		n.consenterTLS[hostPort(host, port)] = cert
	}
	addConsenter(n.parties["alpha"], "orderer0.alpha.example", 7050)
	addConsenter(n.parties["alpha"], "orderer1.alpha.example", 7051)
	addConsenter(n.parties["beta"], "orderer0.beta.example", 7050)

	alphaOrderer := org(n.parties["alpha"], "AlphaOrdererMSP")
	alphaOrderer.OrdererEndpoints = []string{"orderer0.alpha.example:7050", "orderer1.alpha.example:7051"}
	betaOrderer := org(n.parties["beta"], "BetaOrdererMSP")
	betaOrderer.OrdererEndpoints = []string{"orderer0.beta.example:7050"}

	alpha := org(n.parties["alpha"], "AlphaMSP")
	alpha.AnchorPeers = []configtx.AnchorPeer{{Host: "peer0.alpha.example", Port: 7051}}
	beta := org(n.parties["beta"], "BetaMSP")
	beta.AnchorPeers = []configtx.AnchorPeer{{Host: "peer0.beta.example", Port: 8051}, {Host: "peer1.beta.example", Port: 8052}}
	gamma := org(n.parties["gamma"], "GammaMSP") // no anchor peers: the value is left out

	n.channel = configtx.Channel{
		ID:           "ledger-one",
		Capabilities: configtx.Fabric25(),
		Orderer: configtx.Orderer{
			Consensus:    configtx.EtcdRaft{Consenters: consenters, Options: configtx.DefaultRaftOptions()},
			BatchTimeout: 2 * time.Second,
			BatchSize:    configtx.BatchSize{MaxMessageCount: 10, AbsoluteMaxBytes: 99 * 1024 * 1024, PreferredMaxBytes: 512 * 1024},
		},
		OrdererOrgs:     []configtx.Org{alphaOrderer, betaOrderer},
		ApplicationOrgs: []configtx.Org{alpha, beta, gamma},
	}
	return n
}

func hostPort(host string, port uint32) string {
	return host + ":" + big.NewInt(int64(port)).String()
}

// encode is GenesisBlock that fails the test on error.
func encode(t *testing.T, c configtx.Channel) []byte {
	t.Helper()
	b, err := configtx.GenesisBlock(c)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
