package testenv

import (
	"time"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// IssueFabricIdentities gives every party of a Fabric network its MSP and every node
// its certificates (CAs valid ten years, the rest one, from an hour ago): a loaded
// network renders without keys init.
func IssueFabricIdentities(n *model.Network) error {
	now := time.Now().Truncate(time.Second)
	caValidity := msp.Validity{NotBefore: now.Add(-time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour)}
	validity := msp.Validity{NotBefore: now.Add(-time.Hour), NotAfter: now.Add(365 * 24 * time.Hour)}
	pem := func(l *msp.Leaf) string { return string(msp.CertPEM(l.Cert)) }
	n.MSP = map[string]model.OrgIdentity{}
	n.Identities = map[string]model.Identity{}
	orgs := map[string]*msp.Org{}
	for _, name := range n.PartyNames() {
		org, err := msp.NewOrg(msp.OrgOptions{MSPID: n.Parties[name].MSPID, Validity: caValidity})
		if err != nil {
			return err
		}
		orgs[name] = org
		admin, err := org.CA.IssueSigning(msp.SigningOptions{Name: "admin", Role: msp.RoleAdmin, Validity: validity})
		if err != nil {
			return err
		}
		adminTLS, err := org.TLSCA.IssueTLS(msp.TLSOptions{Name: "admin", Hosts: []string{"admin"}, Validity: validity})
		if err != nil {
			return err
		}
		n.MSP[name] = model.OrgIdentity{
			CACert:    string(msp.CertPEM(org.CA.Cert)),
			TLSCACert: string(msp.CertPEM(org.TLSCA.Cert)),
			Admin:     pem(admin),
			AdminTLS:  pem(adminTLS),
		}
	}
	for _, name := range n.NodeNames() {
		node := n.Nodes[name]
		org := orgs[node.Party]
		role := msp.RolePeer
		if node.Role == model.RoleOrderer {
			role = msp.RoleOrderer
		}
		sign, err := org.CA.IssueSigning(msp.SigningOptions{Name: name, Role: role, Validity: validity})
		if err != nil {
			return err
		}
		tls, err := org.TLSCA.IssueTLS(msp.TLSOptions{Name: name, Hosts: identity.FabricTLSHosts(n, node), Validity: validity})
		if err != nil {
			return err
		}
		n.Identities[name] = model.Identity{SignCert: pem(sign), TLSCert: pem(tls)}
	}
	return nil
}
