package keys

import (
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/layout"
	"github.com/flux-ledger/flux-ledger/generator/secrets"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// How long what `keys` issues on Fabric is valid.
//
// A CA certificate is in every channel's configuration: replacing its key means a
// channel config update that a majority of organisations sign, so it lasts ten years
// (and `keys renew` re-issues it for the same key, which leaves still chain to).
// Leaves are renewed by their own party alone, whenever it likes, so they last one
// year: a leaked or forgotten identity stops working within a year.
const (
	CAValidity   = 10 * 365 * 24 * time.Hour
	LeafValidity = 365 * 24 * time.Hour
	// backdate starts every certificate a minute early, so a node whose clock runs a
	// little behind the issuer's does not refuse a certificate as not yet valid.
	backdate = time.Minute
	// couchDBPasswordBytes is the entropy of a peer's CouchDB password (hex-encoded).
	couchDBPasswordBytes = 32
)

// fabricParty is what keys holds of one Fabric party while it works: the public MSP
// material (as in the network, or new) and, once needed, the CAs with their keys.
type fabricParty struct {
	party  model.Party
	public model.OrgIdentity
	org    *msp.Org
}

// initFabric is Init on a Fabric network: each party without MSP material gets its
// CAs and admin, and each node without certificates (or in rotate) a signing and a TLS
// certificate from its party's CAs. Nothing is written unless all of it succeeded.
func initFabric(repo string, network *model.Network, parties []string, opts InitOptions) (*Result, error) {
	nodesByParty := network.NodesByParty()
	rotate := map[string]bool{}
	for _, r := range opts.Rotate {
		node, ok := network.Nodes[r]
		if !ok || !slices.Contains(parties, node.Party) {
			return nil, fmt.Errorf("--rotate %s: %s has no node %q", r, strings.Join(parties, ", "), r)
		}
		rotate[r] = true
	}
	now := time.Now()
	out := tree.Tree{}
	for _, name := range parties {
		p := &fabricParty{party: network.Parties[name], public: network.MSP[name]}
		if err := initFabricParty(out, repo, network, p, nodesByParty[name], rotate, opts.Identities, now); err != nil {
			return nil, err
		}
	}
	sopsConfig, err := secrets.Config(network)
	if err != nil {
		return nil, err
	}
	out[secrets.ConfigPath] = sopsConfig
	return write(repo, out)
}

func initFabricParty(out tree.Tree, repo string, network *model.Network, p *fabricParty, nodes []model.Node, rotate map[string]bool, ids []age.Identity, now time.Time) error {
	party := p.party.Name
	if err := checkSealedTo(repo, p.party, nodes); err != nil {
		return err
	}
	if _, has := network.MSP[party]; !has {
		// A sealed CA without public MSP material means the file was lost, not the CA:
		// a new CA would orphan every certificate the old one issued.
		if sealed := identity.FabricSecretPath(party, identity.FabricCASecret); exists(repo, sealed) {
			return fmt.Errorf("%s: party %s already has a sealed CA but no %s; restore that file (e.g. git checkout -- %s)",
				sealed, party, identity.MSPPath(party), identity.MSPPath(party))
		}
		if err := newFabricOrg(out, network, p, now); err != nil {
			return err
		}
	}
	for _, node := range nodes {
		if _, has := network.Identities[node.Name]; has && !rotate[node.Name] {
			continue
		}
		sealed := identity.SecretPath(party, node.Name)
		if !rotate[node.Name] && exists(repo, sealed) {
			return fmt.Errorf("%s: node %s already has sealed keys but no %s; restore that file (e.g. git checkout -- %s), or replace the keys with --rotate %s",
				sealed, node.Name, identity.IdentityPath(node.Name), identity.IdentityPath(node.Name), node.Name)
		}
		if err := p.openCA(repo, ids); err != nil {
			return err
		}
		// A rotated peer keeps its CouchDB password: its state database was created
		// with it, and new keys are no reason to lock the peer out of it.
		var password []byte
		if rotate[node.Name] && node.Role == model.RolePeer {
			var err error
			if password, err = sealedEntry(repo, sealed, ids, layout.CouchDBPasswordEntry); err != nil {
				return err
			}
		}
		if err := issueNode(out, network, p, node, password, now); err != nil {
			return err
		}
	}
	return nil
}

// newFabricOrg creates a party's CA, TLS CA and admin, and adds the sealed CA and
// admin Secrets and the public MSP file to out.
func newFabricOrg(out tree.Tree, network *model.Network, p *fabricParty, now time.Time) error {
	party := p.party.Name
	domain := party + "." + network.Name
	org, err := msp.NewOrg(msp.OrgOptions{
		MSPID:    p.party.MSPID,
		Domain:   domain,
		Validity: msp.Validity{NotBefore: now.Add(-backdate), NotAfter: now.Add(CAValidity)},
	})
	if err != nil {
		return fmt.Errorf("party %s: %w", party, err)
	}
	p.org = org
	v := p.leafValidity(now)
	adminName := "Admin@" + domain
	admin, err := org.CA.IssueSigning(msp.SigningOptions{Name: adminName, Role: msp.RoleAdmin, Validity: v})
	if err != nil {
		return fmt.Errorf("party %s: %w", party, err)
	}
	// The admin's TLS certificate is a client certificate (osnadmin's mutual TLS);
	// like cryptogen, it names the admin as its only SAN.
	adminTLS, err := org.TLSCA.IssueTLS(msp.TLSOptions{Name: adminName, Hosts: []string{adminName}, Validity: v})
	if err != nil {
		return fmt.Errorf("party %s: %w", party, err)
	}
	if err := sealFabric(out, network, party, identity.FabricCASecret, "", map[string]*ecdsa.PrivateKey{
		identity.FabricCAKeyEntry: org.CA.Key, identity.FabricTLSCAKeyEntry: org.TLSCA.Key,
	}, nil); err != nil {
		return err
	}
	if err := sealFabric(out, network, party, identity.FabricAdminSecret, "", map[string]*ecdsa.PrivateKey{
		identity.FabricSignKeyEntry: admin.Key, identity.FabricTLSKeyEntry: adminTLS.Key,
	}, nil); err != nil {
		return err
	}
	p.public = model.OrgIdentity{
		CACert:    string(msp.CertPEM(org.CA.Cert)),
		TLSCACert: string(msp.CertPEM(org.TLSCA.Cert)),
		Admin:     string(msp.CertPEM(admin.Cert)),
		AdminTLS:  string(msp.CertPEM(adminTLS.Cert)),
	}
	return p.writePublic(out)
}

// issueNode issues a node's signing and TLS certificates with new keys and adds its
// sealed Secret and public identity file to out. A peer's Secret also holds its
// CouchDB password: the given one, or a new one when nil.
func issueNode(out tree.Tree, network *model.Network, p *fabricParty, node model.Node, couchDBPassword []byte, now time.Time) error {
	role := msp.RolePeer
	if node.Role == model.RoleOrderer {
		role = msp.RoleOrderer
	}
	v := p.leafValidity(now)
	sign, err := p.org.CA.IssueSigning(msp.SigningOptions{Name: node.Name, Role: role, Validity: v})
	if err != nil {
		return fmt.Errorf("node %s: %w", node.Name, err)
	}
	tls, err := p.org.TLSCA.IssueTLS(msp.TLSOptions{Name: node.Name, Hosts: identity.FabricTLSHosts(network, node), Validity: v})
	if err != nil {
		return fmt.Errorf("node %s: %w", node.Name, err)
	}
	var extra map[string][]byte
	if node.Role == model.RolePeer {
		if couchDBPassword == nil {
			raw := make([]byte, couchDBPasswordBytes)
			if _, err := rand.Read(raw); err != nil {
				return err
			}
			couchDBPassword = []byte(hex.EncodeToString(raw))
		}
		extra = map[string][]byte{layout.CouchDBPasswordEntry: couchDBPassword}
	}
	if err := sealFabric(out, network, node.Party, identity.SecretName(node.Name), node.Name, map[string]*ecdsa.PrivateKey{
		identity.FabricSignKeyEntry: sign.Key, identity.FabricTLSKeyEntry: tls.Key,
	}, extra); err != nil {
		return err
	}
	public, err := identity.FabricCUE(node, model.Identity{SignCert: string(msp.CertPEM(sign.Cert)), TLSCert: string(msp.CertPEM(tls.Cert))})
	if err != nil {
		return err
	}
	out[identity.IdentityPath(node.Name)] = public
	return nil
}

// sealFabric adds one sealed Secret of the party to out: the keys as PKCS#8 PEM, plus
// the extra entries.
func sealFabric(out tree.Tree, network *model.Network, party, name, node string, keys map[string]*ecdsa.PrivateKey, extra map[string][]byte) error {
	data := map[string][]byte{}
	for entry, key := range keys {
		pem, err := msp.KeyPEM(key)
		if err != nil {
			return err
		}
		data[entry] = pem
	}
	for entry, value := range extra {
		data[entry] = value
	}
	plain, err := identity.FabricSecret(network, party, name, node, data)
	if err != nil {
		return err
	}
	path := identity.FabricSecretPath(party, name)
	sealed, err := secrets.Seal(plain, network.Parties[party].Recipients)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	out[path] = sealed
	return nil
}

// writePublic adds the party's public MSP file to out.
func (p *fabricParty) writePublic(out tree.Tree) error {
	data, err := identity.MSPCUE(p.party.Name, p.public)
	if err != nil {
		return err
	}
	out[identity.MSPPath(p.party.Name)] = data
	return nil
}

// leafValidity is a leaf's window from now: LeafValidity, cut short by the CA's own
// end (a leaf may not outlive its CA; `keys renew` renews the CA first).
func (p *fabricParty) leafValidity(now time.Time) msp.Validity {
	end := now.Add(LeafValidity)
	for _, ca := range []*msp.CA{p.org.CA, p.org.TLSCA} {
		if ca.Cert.NotAfter.Before(end) {
			end = ca.Cert.NotAfter
		}
	}
	return msp.Validity{NotBefore: now.Add(-backdate), NotAfter: end}
}

// openCA loads the party's CAs with their keys from its sealed CA Secret, unless they
// are already at hand (made in this run, or opened before).
func (p *fabricParty) openCA(repo string, ids []age.Identity) error {
	if p.org != nil {
		return nil
	}
	party := p.party.Name
	path := identity.FabricSecretPath(party, identity.FabricCASecret)
	if len(ids) == 0 {
		return fmt.Errorf("issuing certificates for party %s needs its CA keys, sealed in %s: pass --identity FILE (or set SOPS_AGE_KEY_FILE) with one of %s's age keys", party, path, party)
	}
	data, err := openSealed(repo, path, ids, identity.FabricCAKeyEntry, identity.FabricTLSCAKeyEntry)
	if err != nil {
		return err
	}
	ca, err := pairCA(data[identity.FabricCAKeyEntry], p.public.CACert)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", path, identity.FabricCAKeyEntry, err)
	}
	tlsCA, err := pairCA(data[identity.FabricTLSCAKeyEntry], p.public.TLSCACert)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", path, identity.FabricTLSCAKeyEntry, err)
	}
	p.org = &msp.Org{MSPID: p.party.MSPID, CA: ca, TLSCA: tlsCA}
	return nil
}

// pairCA joins a CA's sealed key to its public certificate, refusing a key that is
// not the certificate's.
func pairCA(keyPEM []byte, certPEM string) (*msp.CA, error) {
	key, err := msp.ParseKeyPEM(keyPEM)
	if err != nil {
		return nil, err
	}
	cert, err := msp.ParseCertPEM([]byte(certPEM))
	if err != nil {
		return nil, err
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("the sealed key is not the key of CA certificate %s", cert.Subject.CommonName)
	}
	return &msp.CA{Cert: cert, Key: key}, nil
}

// openSealed decrypts one of the repository's sealed Secrets and returns its entries,
// each of want present.
func openSealed(repo, path string, ids []age.Identity, want ...string) (map[string][]byte, error) {
	sealed, err := tree.ReadInput(repo, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPathError(err))
	}
	plain, err := secrets.Open(sealed, ids)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	data, err := identity.FabricSecretData(plain, want...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}

// sealedEntry is one entry of a sealed Secret.
func sealedEntry(repo, path string, ids []age.Identity, entry string) ([]byte, error) {
	if len(ids) == 0 {
		return nil, errors.New(path + ": reading it needs the party's age key: pass --identity FILE (or set SOPS_AGE_KEY_FILE)")
	}
	data, err := openSealed(repo, path, ids, entry)
	if err != nil {
		return nil, err
	}
	return data[entry], nil
}

func exists(repo, path string) bool {
	_, err := os.Lstat(filepath.Join(repo, filepath.FromSlash(path)))
	return err == nil
}
