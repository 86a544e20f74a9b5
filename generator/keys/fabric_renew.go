package keys

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"filippo.io/age"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/layout"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// DefaultRenewWithin is the renewal window when none is given: a month leaves time to
// merge the renewal and for every cluster to reconcile it before anything expires.
const DefaultRenewWithin = 30 * 24 * time.Hour

// RenewOptions selects the Fabric party whose certificates are renewed.
type RenewOptions struct {
	Party string
	// Within is the window: every certificate of the party that expires before now +
	// Within is re-issued. DefaultRenewWithin when zero.
	Within time.Duration
	// Rekey names nodes of the party that get new keys, and certificates for them,
	// whatever their expiry.
	Rekey []string
	// Identities are the caller's age identities; one must be the party's, to open its
	// sealed CA keys.
	Identities []age.Identity
	// Now is when the window starts; the current time when zero.
	Now time.Time
}

// Renew re-issues every certificate of a Fabric party that expires within the window,
// for the same key: the CA and TLS CA certificates (RenewCA, so every leaf still chains
// to them), the admin's and each node's. Keys do not change, so only public files are
// written, except for the nodes in Rekey, whose new keys are sealed too.
func Renew(repo string, opts RenewOptions) (*Result, error) {
	network, party, err := loadParty(repo, opts.Party)
	if err != nil {
		return nil, err
	}
	if !network.IsFabric() {
		return nil, fmt.Errorf("keys renew renews Fabric certificates; network %s runs %s, whose node keys have none (replace a key with keys init --rotate)", network.Name, network.Platform)
	}
	public, has := network.MSP[party.Name]
	if !has {
		return nil, fmt.Errorf("party %s has no MSP material (%s); create it with flux-ledger keys init --party %s", party.Name, identity.MSPPath(party.Name), party.Name)
	}
	nodes := network.NodesByParty()[party.Name]
	rekey := map[string]bool{}
	for _, r := range opts.Rekey {
		if !slices.ContainsFunc(nodes, func(n model.Node) bool { return n.Name == r }) {
			return nil, fmt.Errorf("--rekey %s: %s has no node %q", r, party.Name, r)
		}
		rekey[r] = true
	}
	within := opts.Within
	if within == 0 {
		within = DefaultRenewWithin
	}
	if within < 0 {
		return nil, errors.New("the renewal window must not be negative")
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	p := &fabricParty{party: party, public: public}
	if err := p.openCA(repo, opts.Identities); err != nil {
		return nil, err
	}
	r := &renewal{p: p, now: now, deadline: now.Add(within)}
	out := tree.Tree{}

	// The CAs first: a leaf may not outlive its CA.
	mspChanged := false
	for _, ca := range []struct {
		ca   **msp.CA
		cert *string
	}{{&p.org.CA, &p.public.CACert}, {&p.org.TLSCA, &p.public.TLSCACert}} {
		changed, err := r.renewCA(ca.ca, ca.cert)
		if err != nil {
			return nil, err
		}
		mspChanged = mspChanged || changed
	}
	for _, leaf := range []struct {
		ca   *msp.CA
		cert *string
	}{{p.org.CA, &p.public.Admin}, {p.org.TLSCA, &p.public.AdminTLS}} {
		changed, err := r.renewLeaf(leaf.ca, leaf.cert)
		if err != nil {
			return nil, fmt.Errorf("party %s's admin: %w", party.Name, err)
		}
		mspChanged = mspChanged || changed
	}
	if mspChanged {
		if err := p.writePublic(out); err != nil {
			return nil, err
		}
	}

	var advice []string
	for _, node := range nodes {
		if rekey[node.Name] {
			var password []byte
			if node.Role == model.RolePeer {
				if password, err = sealedEntry(repo, identity.SecretPath(party.Name, node.Name), opts.Identities, layout.CouchDBPasswordEntry); err != nil {
					return nil, err
				}
			}
			if err := issueNode(out, network, p, node, password, now); err != nil {
				return nil, err
			}
			continue
		}
		id, has := network.Identities[node.Name]
		if !has {
			advice = append(advice, fmt.Sprintf("node %s has no certificates yet: flux-ledger keys init --party %s", node.Name, party.Name))
			continue
		}
		signChanged, err := r.renewLeaf(p.org.CA, &id.SignCert)
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", node.Name, err)
		}
		tlsChanged, err := r.renewLeaf(p.org.TLSCA, &id.TLSCert)
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", node.Name, err)
		}
		if signChanged || tlsChanged {
			data, err := identity.FabricCUE(node, id)
			if err != nil {
				return nil, err
			}
			out[identity.IdentityPath(node.Name)] = data
		}
	}
	result, err := write(repo, out)
	if err != nil {
		return nil, err
	}
	result.Advice = advice
	return result, nil
}

// renewal is one run of Renew: what expires before deadline is re-issued from now.
type renewal struct {
	p             *fabricParty
	now, deadline time.Time
}

// renewCA re-issues *ca's certificate for the same key when it expires within the
// window, keeping its start so the leaves it issued still validate (see msp RenewCA).
func (r *renewal) renewCA(ca **msp.CA, certPEM *string) (bool, error) {
	if !(*ca).Cert.NotAfter.Before(r.deadline) {
		return false, nil
	}
	renewed, err := (*ca).RenewCA(msp.Validity{NotBefore: (*ca).Cert.NotBefore, NotAfter: r.now.Add(CAValidity)})
	if err != nil {
		return false, err
	}
	*ca = renewed
	*certPEM = string(msp.CertPEM(renewed.Cert))
	return true, nil
}

// renewLeaf re-issues the certificate at *certPEM from ca, for the same key and names,
// when it expires within the window.
func (r *renewal) renewLeaf(ca *msp.CA, certPEM *string) (bool, error) {
	old, err := msp.ParseCertPEM([]byte(*certPEM))
	if err != nil {
		return false, err
	}
	if !old.NotAfter.Before(r.deadline) {
		return false, nil
	}
	renewed, err := ca.RenewLeaf(old, r.p.leafValidity(r.now))
	if err != nil {
		return false, err
	}
	*certPEM = string(msp.CertPEM(renewed))
	return true, nil
}
