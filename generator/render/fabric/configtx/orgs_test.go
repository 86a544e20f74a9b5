package configtx_test

import (
	"slices"
	"testing"
)

type fabricMSP struct {
	Type   int `json:"type"`
	Fabric *struct {
		Name                          string   `json:"name"`
		RootCerts                     []string `json:"rootCerts"`
		IntermediateCerts             []string `json:"intermediateCerts"`
		Admins                        []string `json:"admins"`
		RevocationList                []string `json:"revocationList"`
		HasSigningIdentity            bool     `json:"hasSigningIdentity"`
		OrganizationalUnitIdentifiers []any    `json:"organizationalUnitIdentifiers"`
		CryptoConfig                  *struct {
			SignatureHashFamily            string `json:"signatureHashFamily"`
			IdentityIdentifierHashFunction string `json:"identityIdentifierHashFunction"`
		} `json:"cryptoConfig"`
		TLSRootCerts         []string `json:"tlsRootCerts"`
		TLSIntermediateCerts []string `json:"tlsIntermediateCerts"`
		NodeOUs              *struct {
			Enable                       bool
			Client, Peer, Admin, Orderer *struct {
				OrganizationalUnitIdentifier string `json:"organizationalUnitIdentifier"`
				Certificate                  string `json:"certificate"`
			}
		} `json:"nodeOUs"`
	} `json:"fabric"`
}

// Each org's MSP value holds what configtxgen reads from an MSP directory
// (msp/configbuilder.go getMspConfig): type FABRIC, the MSP ID, root and TLS root
// certificates, SHA2/SHA256 crypto config, NodeOUs mapping client, peer, admin and
// orderer to the CA; no signing identity, no admins (NodeOUs name them).
func TestOrgMSPs(t *testing.T) {
	n := newNetwork(t)
	d := decodeBlock(t, encode(t, n.channel))
	root := d.root()
	check := func(section, group, mspID, partyName string) {
		t.Helper()
		g, ok := root.Groups[section].Groups[group]
		if !ok {
			t.Fatalf("/Channel/%s has no group %s: %v", section, group, keys(root.Groups[section].Groups))
		}
		p := n.parties[partyName]
		var m fabricMSP
		g.value(t, "MSP", &m)
		f := m.Fabric
		if m.Type != 0 || f == nil {
			t.Fatalf("%s: MSP type %d; want FABRIC (0)", group, m.Type)
		}
		if f.Name != mspID {
			t.Errorf("%s: MSP ID %q; want %q", group, f.Name, mspID)
		}
		if !slices.Equal(f.RootCerts, []string{string(p.ca.pem)}) {
			t.Errorf("%s: root certs %q", group, f.RootCerts)
		}
		if !slices.Equal(f.TLSRootCerts, []string{string(p.tlsCA.pem)}) {
			t.Errorf("%s: TLS root certs %q", group, f.TLSRootCerts)
		}
		if len(f.IntermediateCerts)+len(f.Admins)+len(f.RevocationList)+len(f.TLSIntermediateCerts)+len(f.OrganizationalUnitIdentifiers) != 0 || f.HasSigningIdentity {
			t.Errorf("%s: unexpected MSP material: %+v", group, f)
		}
		if f.CryptoConfig == nil || f.CryptoConfig.SignatureHashFamily != "SHA2" || f.CryptoConfig.IdentityIdentifierHashFunction != "SHA256" {
			t.Errorf("%s: crypto config %+v", group, f.CryptoConfig)
		}
		ous := f.NodeOUs
		if ous == nil || !ous.Enable {
			t.Fatalf("%s: NodeOUs not enabled", group)
		}
		for role, ou := range map[string]*struct {
			OrganizationalUnitIdentifier string `json:"organizationalUnitIdentifier"`
			Certificate                  string `json:"certificate"`
		}{"client": ous.Client, "peer": ous.Peer, "admin": ous.Admin, "orderer": ous.Orderer} {
			if ou == nil || ou.OrganizationalUnitIdentifier != role || ou.Certificate != string(p.ca.pem) {
				t.Errorf("%s: %s OU %+v; want %q certified by the org's CA", group, role, ou, role)
			}
		}
	}
	check("Orderer", "AlphaOrdererMSP", "AlphaOrdererMSP", "alpha")
	check("Orderer", "BetaOrdererMSP", "BetaOrdererMSP", "beta")
	check("Application", "AlphaMSP", "AlphaMSP", "alpha")
	check("Application", "BetaMSP", "BetaMSP", "beta")
	check("Application", "GammaMSP", "GammaMSP", "gamma")
	if len(root.Groups["Orderer"].Groups) != 2 || len(root.Groups["Application"].Groups) != 3 {
		t.Errorf("orderer orgs %v, application orgs %v", keys(root.Groups["Orderer"].Groups), keys(root.Groups["Application"].Groups))
	}
}

// An org's group key is its Name when given (configtxgen: Organization.Name), else its
// MSP ID.
func TestOrgGroupName(t *testing.T) {
	n := newNetwork(t)
	n.channel.ApplicationOrgs[2].Name = "gamma"
	d := decodeBlock(t, encode(t, n.channel))
	var m fabricMSP
	d.root().Groups["Application"].Groups["gamma"].value(t, "MSP", &m)
	if m.Fabric.Name != "GammaMSP" {
		t.Errorf("group gamma holds MSP %q", m.Fabric.Name)
	}
}

// Orderer orgs carry their orderers' Endpoints (encoder.go NewOrdererOrgGroup), and
// application orgs their AnchorPeers only when they have some
// (NewApplicationOrgGroup); neither carries the other's value.
func TestOrgEndpointsAndAnchorPeers(t *testing.T) {
	d := decodeBlock(t, encode(t, newNetwork(t).channel))
	orderer, app := d.root().Groups["Orderer"], d.root().Groups["Application"]

	var endpoints struct{ Addresses []string }
	orderer.Groups["AlphaOrdererMSP"].value(t, "Endpoints", &endpoints)
	if !slices.Equal(endpoints.Addresses, []string{"orderer0.alpha.example:7050", "orderer1.alpha.example:7051"}) {
		t.Errorf("alpha endpoints %v", endpoints.Addresses)
	}
	orderer.Groups["BetaOrdererMSP"].value(t, "Endpoints", &endpoints)
	if !slices.Equal(endpoints.Addresses, []string{"orderer0.beta.example:7050"}) {
		t.Errorf("beta endpoints %v", endpoints.Addresses)
	}

	type peer struct {
		Host string
		Port int
	}
	var anchors struct {
		AnchorPeers []peer `json:"anchorPeers"`
	}
	app.Groups["AlphaMSP"].value(t, "AnchorPeers", &anchors)
	if !slices.Equal(anchors.AnchorPeers, []peer{{"peer0.alpha.example", 7051}}) {
		t.Errorf("alpha anchor peers %v", anchors.AnchorPeers)
	}
	app.Groups["BetaMSP"].value(t, "AnchorPeers", &anchors)
	if !slices.Equal(anchors.AnchorPeers, []peer{{"peer0.beta.example", 8051}, {"peer1.beta.example", 8052}}) {
		t.Errorf("beta anchor peers %v", anchors.AnchorPeers)
	}
	if _, ok := app.Groups["GammaMSP"].Values["AnchorPeers"]; ok {
		t.Error("gamma has no anchor peers, yet the value is written")
	}
	for name, g := range app.Groups {
		if _, ok := g.Values["Endpoints"]; ok {
			t.Errorf("application org %s carries Endpoints", name)
		}
	}
	for name, g := range orderer.Groups {
		if _, ok := g.Values["AnchorPeers"]; ok {
			t.Errorf("orderer org %s carries AnchorPeers", name)
		}
	}
}
