package load_test

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// fabricPKI is the reference network with every party's CAs and admin and every
// node's certificates, written into the module as keys init writes them.
type fabricPKI struct {
	dir     string
	network *model.Network
	orgs    map[string]*msp.Org
}

func newFabricPKI(t *testing.T) *fabricPKI {
	t.Helper()
	dir := testenv.Module(t, map[string]string{"network.cue": testenv.FabricExample(t)})
	result, err := load.Network(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := &fabricPKI{dir: dir, network: result.Network, orgs: map[string]*msp.Org{}}
	for _, name := range p.network.PartyNames() {
		org, err := msp.NewOrg(msp.OrgOptions{MSPID: p.network.Parties[name].MSPID, Domain: name + ".tradechain", Validity: validity(10)})
		if err != nil {
			t.Fatal(err)
		}
		p.orgs[name] = org
		admin := p.signing(t, name, "Admin@"+name, msp.RoleAdmin)
		adminTLS := p.tls(t, name, "Admin@"+name, "Admin@"+name)
		p.writeMSP(t, name, model.OrgIdentity{
			CACert: pemOf(org.CA.Cert), TLSCACert: pemOf(org.TLSCA.Cert), Admin: admin, AdminTLS: adminTLS,
		})
	}
	for _, name := range p.network.NodeNames() {
		node := p.network.Nodes[name]
		p.writeNode(t, name, model.Identity{
			SignCert: p.signing(t, node.Party, name, msp.Role(node.Role)),
			TLSCert:  p.tls(t, node.Party, name, identity.FabricTLSHosts(p.network, node)...),
		})
	}
	return p
}

func validity(years int) msp.Validity {
	now := time.Now()
	return msp.Validity{NotBefore: now.Add(-time.Minute), NotAfter: now.AddDate(years, 0, 0)}
}

func pemOf(c *x509.Certificate) string { return string(msp.CertPEM(c)) }

// signing issues a signing certificate from party's CA.
func (p *fabricPKI) signing(t *testing.T, party, name string, role msp.Role) string {
	t.Helper()
	leaf, err := p.orgs[party].CA.IssueSigning(msp.SigningOptions{Name: name, Role: role, Validity: validity(1)})
	if err != nil {
		t.Fatal(err)
	}
	return string(msp.CertPEM(leaf.Cert))
}

// tls issues a TLS certificate from party's TLS CA.
func (p *fabricPKI) tls(t *testing.T, party, name string, hosts ...string) string {
	t.Helper()
	leaf, err := p.orgs[party].TLSCA.IssueTLS(msp.TLSOptions{Name: name, Hosts: hosts, Validity: validity(1)})
	if err != nil {
		t.Fatal(err)
	}
	return string(msp.CertPEM(leaf.Cert))
}

func (p *fabricPKI) writeMSP(t *testing.T, party string, org model.OrgIdentity) {
	t.Helper()
	data, err := identity.MSPCUE(party, org)
	if err != nil {
		t.Fatal(err)
	}
	p.write(t, strings.TrimPrefix(identity.MSPPath(party), "cue/"), data)
}

func (p *fabricPKI) writeNode(t *testing.T, name string, id model.Identity) {
	t.Helper()
	data, err := identity.FabricCUE(p.network.Nodes[name], id)
	if err != nil {
		t.Fatal(err)
	}
	p.write(t, strings.TrimPrefix(identity.IdentityPath(name), "cue/"), data)
}

func (p *fabricPKI) write(t *testing.T, rel string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(p.dir, filepath.FromSlash(rel)), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// current reads a node's public certificates back.
func (p *fabricPKI) current(t *testing.T, node string) model.Identity {
	t.Helper()
	result, err := load.Network(p.dir)
	if err != nil {
		t.Fatal(err)
	}
	return result.Network.Identities[node]
}

// loadFails loads the module and wants exactly one issue, at the given CUE path, whose
// position is in the given file and whose message holds want.
func (p *fabricPKI) loadFails(t *testing.T, path, file, want string) {
	t.Helper()
	_, err := load.Network(p.dir)
	if err == nil {
		t.Fatalf("loaded; want an error at %s", path)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d issues, want 1:\n%v", len(lines), err)
	}
	if !strings.Contains(lines[0], file+":") || !strings.Contains(lines[0], ": "+path+": ") || !strings.Contains(lines[0], want) {
		t.Fatalf("issue %q, want it at %s (%s) saying %q", lines[0], path, file, want)
	}
}

// Certificates from each party's own CAs, with the right NodeOUs and names, load.
func TestFabricCertificatesOfTheirOwnPartyLoad(t *testing.T) {
	p := newFabricPKI(t)
	result, err := load.Network(p.dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Network.Identities) != 6 || len(result.Network.MSP) != 3 {
		t.Fatalf("%d identities, %d MSPs", len(result.Network.Identities), len(result.Network.MSP))
	}
}

// The attack the check exists for: fabrikam writes contoso's node file with a
// certificate from fabrikam's own CA (same name, right NodeOU). contoso's MSP does not
// validate it, so load refuses, at the certificate.
func TestFabricLoadRejectsANodeCertificateFromAnotherPartysCA(t *testing.T) {
	p := newFabricPKI(t)
	id := p.current(t, "contoso-peer-1")
	id.SignCert = p.signing(t, "fabrikam", "contoso-peer-1", msp.RolePeer)
	p.writeNode(t, "contoso-peer-1", id)
	p.loadFails(t, `network.identities."contoso-peer-1".signCert`, "identities/contoso-peer-1.cue",
		"not a peer identity issued by party contoso's CA")

	// The same with the TLS certificate: it would let fabrikam impersonate contoso's
	// peer on the wire.
	p = newFabricPKI(t)
	id = p.current(t, "contoso-peer-1")
	id.TLSCert = p.tls(t, "fabrikam", "contoso-peer-1", identity.FabricTLSHosts(p.network, p.network.Nodes["contoso-peer-1"])...)
	p.writeNode(t, "contoso-peer-1", id)
	p.loadFails(t, `network.identities."contoso-peer-1".tlsCert`, "identities/contoso-peer-1.cue",
		"certificate signed by unknown authority")
}

// A TLS certificate without the node's endpoint among its SANs cannot be dialled by
// other parties (Go's TLS checks SANs only): load refuses it, naming the host.
func TestFabricLoadRejectsATLSCertificateWithoutTheEndpoint(t *testing.T) {
	p := newFabricPKI(t)
	node := p.network.Nodes["northwind-orderer-1"]
	var hosts []string
	for _, h := range identity.FabricTLSHosts(p.network, node) {
		if h != node.Endpoint.Host {
			hosts = append(hosts, h)
		}
	}
	id := p.current(t, node.Name)
	id.TLSCert = p.tls(t, "northwind", node.Name, hosts...)
	p.writeNode(t, node.Name, id)
	p.loadFails(t, `network.identities."northwind-orderer-1".tlsCert`, "identities/northwind-orderer-1.cue", node.Endpoint.Host)
}

// A signing certificate must carry its node's role: a peer certificate on an orderer
// would let the orderer's party endorse as a peer it does not run, and vice versa.
func TestFabricLoadRejectsTheWrongNodeOU(t *testing.T) {
	p := newFabricPKI(t)
	id := p.current(t, "fabrikam-orderer-1")
	id.SignCert = p.signing(t, "fabrikam", "fabrikam-orderer-1", msp.RolePeer)
	p.writeNode(t, "fabrikam-orderer-1", id)
	p.loadFails(t, `network.identities."fabrikam-orderer-1".signCert`, "identities/fabrikam-orderer-1.cue", "has the peer NodeOU, want orderer")
}

// The admin must carry the admin NodeOU: a client certificate in its place could not
// sign the party's channel and chaincode transactions.
func TestFabricLoadRejectsAnAdminWithoutTheAdminOU(t *testing.T) {
	p := newFabricPKI(t)
	org := p.orgs["contoso"]
	p.writeMSP(t, "contoso", model.OrgIdentity{
		CACert: pemOf(org.CA.Cert), TLSCACert: pemOf(org.TLSCA.Cert),
		Admin:    p.signing(t, "contoso", "Admin@contoso", msp.RoleClient),
		AdminTLS: p.tls(t, "contoso", "Admin@contoso", "Admin@contoso"),
	})
	p.loadFails(t, `network.msp."contoso".admin`, "msp/contoso.cue", "has the client NodeOU, want admin")
}

// Node certificates need their party's MSP material to be checked against: without
// cue/msp/<party>.cue load says which file is missing.
func TestFabricLoadRejectsNodeCertificatesWithoutTheirPartysMSP(t *testing.T) {
	p := newFabricPKI(t)
	if err := os.Remove(filepath.Join(p.dir, "msp", "contoso.cue")); err != nil {
		t.Fatal(err)
	}
	_, err := load.Network(p.dir)
	if err == nil || !strings.Contains(err.Error(), "cue/msp/contoso.cue is missing") {
		t.Fatalf("load without contoso's MSP: %v", err)
	}
}
