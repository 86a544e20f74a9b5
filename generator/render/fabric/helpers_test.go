package fabric_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

var (
	referenceOnce sync.Once
	referenceJSON []byte
	referenceErr  error
)

// referenceNetwork loads the Fabric reference network (examples/fabric/network.cue)
// and issues every party's
// CAs, admin and node certificates with package msp, as `flux-ledger keys init` would.
// Each call returns a fresh copy the test may change.
func referenceNetwork(t *testing.T) *model.Network {
	t.Helper()
	referenceOnce.Do(func() {
		referenceJSON, referenceErr = buildReference(testenv.Module(t, map[string]string{"network.cue": testenv.FabricExample(t)}))
	})
	if referenceErr != nil {
		t.Fatal(referenceErr)
	}
	var n model.Network
	if err := yaml.Unmarshal(referenceJSON, &n); err != nil {
		t.Fatal(err)
	}
	return &n
}

// buildReference loads the network of the module and issues its certificates.
func buildReference(module string) ([]byte, error) {
	result, err := load.Network(module)
	if err != nil {
		return nil, err
	}
	n := result.Network
	if err := issue(n); err != nil {
		return nil, err
	}
	return yaml.Marshal(n)
}

// issue gives every party its MSP and every node its certificates.
func issue(n *model.Network) error {
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

// renderParties renders every party's directory.
func renderParties(t *testing.T, n *model.Network) map[string]fabric.Files {
	t.Helper()
	render, err := fabric.Renderer(n)
	if err != nil {
		t.Fatal(err)
	}
	byParty := n.NodesByParty()
	out := map[string]fabric.Files{}
	for _, name := range n.PartyNames() {
		files, err := render(n.Parties[name], byParty[name])
		if err != nil {
			t.Fatalf("party %s: %v", name, err)
		}
		out[name] = files
	}
	return out
}

// documents splits a YAML stream into its documents.
func documents(data []byte) [][]byte {
	var out [][]byte
	for _, doc := range strings.Split(string(data), "\n---\n") {
		if strings.TrimSpace(doc) != "" {
			out = append(out, []byte(doc))
		}
	}
	return out
}

// kindOf reads a document's kind.
func kindOf(t *testing.T, doc []byte) string {
	t.Helper()
	var meta struct{ Kind string }
	if err := yaml.Unmarshal(doc, &meta); err != nil {
		t.Fatal(err)
	}
	return meta.Kind
}

// statefulSets decodes every node's StatefulSet, by node name.
func statefulSets(t *testing.T, n *model.Network) map[string]*appsv1.StatefulSet {
	t.Helper()
	out := map[string]*appsv1.StatefulSet{}
	for party, files := range renderParties(t, n) {
		for _, node := range n.NodesByParty()[party] {
			for _, doc := range documents(files["nodes/"+node.Name+"/"+fabric.NodeFile]) {
				if kindOf(t, doc) != "StatefulSet" {
					continue
				}
				var sts appsv1.StatefulSet
				if err := yaml.Unmarshal(doc, &sts); err != nil {
					t.Fatal(err)
				}
				out[node.Name] = &sts
			}
		}
	}
	if len(out) != len(n.Nodes) {
		t.Fatalf("%d StatefulSets for %d nodes", len(out), len(n.Nodes))
	}
	return out
}

// mainContainer is the node's orderer or peer container (the encoder orders containers
// by name, so the CouchDB sidecar may come first).
func mainContainer(t *testing.T, sts *appsv1.StatefulSet) corev1.Container {
	t.Helper()
	for _, c := range sts.Spec.Template.Spec.Containers {
		if c.Name == "orderer" || c.Name == "peer" {
			return c
		}
	}
	t.Fatalf("%s: no orderer or peer container", sts.Name)
	return corev1.Container{}
}

func itoa(i int) string { return strconv.Itoa(i) }
