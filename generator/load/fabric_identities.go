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
	"github.com/flux-ledger/flux-ledger/generator/parallel"
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
	// The certificates are parsed and verified in parallel (a quarter of a second
	// of CPU at 300 organisations, on the path of every command), the issues reported in
	// order after.
	parties := slices.Sorted(maps.Keys(network.MSP))
	type partyCheck struct {
		msp                     *msp.MSP
		mspErr, admin, adminTLS error
	}
	partyChecks := make([]partyCheck, len(parties))
	_ = parallel.For(len(parties), func(i int) error {
		org, c := network.MSP[parties[i]], &partyChecks[i]
		if c.msp, c.mspErr = partyMSP(org); c.mspErr == nil {
			c.admin = verifySigning(c.msp, org.Admin, msp.RoleAdmin)
			c.adminTLS = verifyTLS(c.msp, org.AdminTLS)
		}
		return nil
	})
	msps := map[string]*msp.MSP{}
	for i, party := range parties {
		field := func(name string) (cue.Path, string) {
			return cue.MakePath(cue.Str("msp"), cue.Str(party), cue.Str(name)), fmt.Sprintf("msp.%q.%s", party, name)
		}
		c := partyChecks[i]
		if c.mspErr != nil {
			p, shown := field("caCert")
			add(p, shown, c.mspErr.Error())
			continue
		}
		msps[party] = c.msp
		if c.admin != nil {
			p, shown := field("admin")
			add(p, shown, c.admin.Error())
		}
		if c.adminTLS != nil {
			p, shown := field("adminTLS")
			add(p, shown, c.adminTLS.Error())
		}
	}
	names := slices.Sorted(maps.Keys(network.Identities))
	type nodeCheck struct{ signing, tls error }
	nodeChecks := make([]nodeCheck, len(names))
	_ = parallel.For(len(names), func(i int) error {
		id := network.Identities[names[i]]
		node, ok := network.Nodes[names[i]]
		if m := msps[node.Party]; ok && m != nil {
			nodeChecks[i].signing = verifySigning(m, id.SignCert, msp.Role(node.Role))
			nodeChecks[i].tls = verifyTLS(m, id.TLSCert, identity.FabricTLSHosts(network, node)...)
		}
		return nil
	})
	for i, name := range names {
		field := func(f string) (cue.Path, string) {
			return cue.MakePath(cue.Str("identities"), cue.Str(name), cue.Str(f)), fmt.Sprintf("identities.%q.%s", name, f)
		}
		node, ok := network.Nodes[name]
		if !ok {
			p, shown := field("signCert")
			add(p, shown, fmt.Sprintf("certificates of %q, which is not a node of the network (remove %s)", name, identity.IdentityPath(name)))
			continue
		}
		if _, ok := msps[node.Party]; !ok {
			if _, has := network.MSP[node.Party]; !has {
				p, shown := field("signCert")
				add(p, shown, fmt.Sprintf("party %s has no MSP material to verify it with (%s is missing; flux-ledger keys init --party %s writes it)", node.Party, identity.MSPPath(node.Party), node.Party))
			}
			continue
		}
		if err := nodeChecks[i].signing; err != nil {
			p, shown := field("signCert")
			add(p, shown, fmt.Sprintf("not a %s identity issued by party %s's CA: %v", node.Role, node.Party, err))
		}
		if err := nodeChecks[i].tls; err != nil {
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
