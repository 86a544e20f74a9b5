package load

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"time"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/token"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// checkFabricIdentities checks what CUE cannot on a Fabric network: that every node's
// certificates were issued by its own party's CAs, as Fabric's MSP validates them.
// Each party writes its own cue/identities/ files; without this check a party could
// replace another party's node certificate with one from its own CA, and the other
// parties' nodes would trust it as that node. Also: the signing certificate carries the
// NodeOU of the node's role, the TLS certificate names every host the node is dialled
// by, and each party's admin carries the admin NodeOU.
//
// Expiry is not checked here: an expired certificate must still load, or
// `flux-ledger keys renew` could not read the network to replace it. Chains are
// verified at each certificate's own start, as Fabric's MSP does
// (msp/mspimplvalidate.go getValidityOptsForCert).
func checkFabricIdentities(network *model.Network, value cue.Value) error {
	cwd, _ := os.Getwd()
	var out []Issue
	add := func(path cue.Path, shown, msg string) {
		out = append(out, Issue{
			Pos:     position([]token.Pos{value.LookupPath(path).Pos()}, cwd),
			Path:    NetworkField + "." + shown,
			Message: msg,
		})
	}
	msps := map[string]*msp.MSP{}
	for _, party := range slices.Sorted(maps.Keys(network.MSP)) {
		org := network.MSP[party]
		field := func(name string) (cue.Path, string) {
			return cue.MakePath(cue.Str("msp"), cue.Str(party), cue.Str(name)), fmt.Sprintf("msp.%q.%s", party, name)
		}
		m, err := partyMSP(org)
		if err != nil {
			p, shown := field("caCert")
			add(p, shown, err.Error())
			continue
		}
		msps[party] = m
		if err := verifySigning(m, org.Admin, msp.RoleAdmin); err != nil {
			p, shown := field("admin")
			add(p, shown, err.Error())
		}
		if err := verifyTLS(m, org.AdminTLS); err != nil {
			p, shown := field("adminTLS")
			add(p, shown, err.Error())
		}
	}
	for _, name := range slices.Sorted(maps.Keys(network.Identities)) {
		id := network.Identities[name]
		field := func(f string) (cue.Path, string) {
			return cue.MakePath(cue.Str("identities"), cue.Str(name), cue.Str(f)), fmt.Sprintf("identities.%q.%s", name, f)
		}
		node, ok := network.Nodes[name]
		if !ok {
			p, shown := field("signCert")
			add(p, shown, fmt.Sprintf("certificates of %q, which is not a node of the network (remove %s)", name, identity.IdentityPath(name)))
			continue
		}
		m, ok := msps[node.Party]
		if !ok {
			if _, has := network.MSP[node.Party]; !has {
				p, shown := field("signCert")
				add(p, shown, fmt.Sprintf("party %s has no MSP material to verify it with (%s is missing; flux-ledger keys init --party %s writes it)", node.Party, identity.MSPPath(node.Party), node.Party))
			}
			continue
		}
		if err := verifySigning(m, id.SignCert, msp.Role(node.Role)); err != nil {
			p, shown := field("signCert")
			add(p, shown, fmt.Sprintf("not a %s identity issued by party %s's CA: %v", node.Role, node.Party, err))
		}
		if err := verifyTLS(m, id.TLSCert, identity.FabricTLSHosts(network, node)...); err != nil {
			p, shown := field("tlsCert")
			add(p, shown, fmt.Sprintf("not a TLS certificate of party %s for node %s: %v (new names need new certificates: flux-ledger keys init --party %s --rotate %s)", node.Party, name, err, node.Party, name))
		}
	}
	if len(out) > 0 {
		return &Error{Issues: out}
	}
	return nil
}

// partyMSP reads a party's public material as Fabric reads the organisation's MSP.
func partyMSP(org model.OrgIdentity) (*msp.MSP, error) {
	ca, err := msp.ParseCertPEM([]byte(org.CACert))
	if err != nil {
		return nil, fmt.Errorf("CA certificate: %w", err)
	}
	tlsCA, err := msp.ParseCertPEM([]byte(org.TLSCACert))
	if err != nil {
		return nil, fmt.Errorf("TLS CA certificate: %w", err)
	}
	files, err := msp.Files(ca, tlsCA, nil)
	if err != nil {
		return nil, err
	}
	return msp.ParseMSP(files)
}

// verifySigning checks a signing certificate under the MSP and that it carries want's
// NodeOU.
func verifySigning(m *msp.MSP, certPEM string, want msp.Role) error {
	cert, err := msp.ParseCertPEM([]byte(certPEM))
	if err != nil {
		return err
	}
	role, err := m.VerifySigning(cert, cert.NotBefore.Add(time.Second))
	if err != nil {
		return err
	}
	if role != want {
		return fmt.Errorf("identity %s has the %s NodeOU, want %s", cert.Subject.CommonName, role, want)
	}
	return nil
}

// verifyTLS checks a TLS certificate under the MSP's TLS CA, for every host.
func verifyTLS(m *msp.MSP, certPEM string, hosts ...string) error {
	cert, err := msp.ParseCertPEM([]byte(certPEM))
	if err != nil {
		return err
	}
	return m.VerifyTLS(cert, cert.NotBefore.Add(time.Second), hosts...)
}
