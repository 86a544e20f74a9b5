package keys_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/layout"
	"github.com/flux-ledger/flux-ledger/generator/secrets"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

var fabricNodes = map[string][]string{
	"contoso":   {"contoso-orderer-1", "contoso-peer-1"},
	"fabrikam":  {"fabrikam-orderer-1", "fabrikam-peer-1"},
	"northwind": {"northwind-orderer-1", "northwind-peer-1"},
}

// fabricPartyFiles are the files keys init writes for one party of the reference network.
func fabricPartyFiles(party string) []string {
	files := []string{
		identity.MSPPath(party),
		identity.FabricSecretPath(party, identity.FabricAdminSecret),
		identity.FabricSecretPath(party, identity.FabricCASecret),
	}
	for _, node := range fabricNodes[party] {
		files = append(files, identity.IdentityPath(node), identity.SecretPath(party, node))
	}
	return files
}

// keys init on the Fabric reference network writes each party's public MSP material,
// its sealed CA and admin keys, and each node's public certificates and sealed keys;
// nothing else but .sops.yaml. The result loads, so it passes the load-time certificate
// checks, and a second run writes nothing.
func TestFabricInitWritesEveryPartysMaterialAndLoads(t *testing.T) {
	f := newFabricFixture(t)
	result := f.init(t, keys.InitOptions{All: true})
	want := []string{secrets.ConfigPath}
	for party := range fabricNodes {
		want = append(want, fabricPartyFiles(party)...)
	}
	slices.Sort(want)
	got := slices.Sorted(slices.Values(result.Written))
	if !slices.Equal(got, want) {
		t.Fatalf("wrote\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	if on := sortedKeys(f.files(t)); !slices.Equal(on, want) {
		t.Fatalf("files in the repository: %v", on)
	}

	network := f.load(t)
	if len(network.MSP) != 3 || len(network.Identities) != 6 {
		t.Fatalf("loaded %d MSPs and %d identities, want 3 and 6", len(network.MSP), len(network.Identities))
	}
	org := network.MSP["contoso"]
	if c := cert(t, org.CACert); c.Subject.CommonName != "ca.contoso.tradechain" || c.Subject.Organization[0] != "ContosoMSP" {
		t.Errorf("contoso CA subject = %v", c.Subject)
	}
	if c := cert(t, org.Admin); c.Subject.CommonName != "Admin@contoso.tradechain" || !slices.Equal(c.Subject.OrganizationalUnit, []string{"admin"}) {
		t.Errorf("contoso admin subject = %v", c.Subject)
	}

	again := f.init(t, keys.InitOptions{All: true})
	if len(again.Written) != 0 {
		t.Fatalf("second init wrote %v", again.Written)
	}
}

// The validity windows are the named ones: CAs ten years, leaves one year, both
// starting a minute early.
func TestFabricInitValidity(t *testing.T) {
	f := newFabricFixture(t)
	f.init(t, keys.InitOptions{Party: "contoso"})
	network := f.load(t)
	ca := cert(t, network.MSP["contoso"].CACert)
	if got := ca.NotAfter.Sub(ca.NotBefore); got < keys.CAValidity || got > keys.CAValidity+2*60e9 {
		t.Errorf("CA valid for %s, want %s", got, keys.CAValidity)
	}
	leaf := cert(t, network.Identities["contoso-peer-1"].SignCert)
	if got := leaf.NotAfter.Sub(leaf.NotBefore); got < keys.LeafValidity || got > keys.LeafValidity+2*60e9 {
		t.Errorf("leaf valid for %s, want %s", got, keys.LeafValidity)
	}
}

// OpenSSL, a verifier independent of Go's, accepts every certificate under its
// party's CA: signing identities with its default purpose, TLS certificates as server
// and client, and refuses a node certificate under another party's CA.
func TestFabricInitCertificatesPassOpenSSL(t *testing.T) {
	f := newFabricFixture(t)
	f.init(t, keys.InitOptions{All: true})
	network := f.load(t)
	for party, nodes := range fabricNodes {
		org := network.MSP[party]
		if out, ok := opensslVerify(t, org.CACert, org.Admin); !ok {
			t.Errorf("%s admin: %s", party, out)
		}
		if out, ok := opensslVerify(t, org.TLSCACert, org.AdminTLS, "-purpose", "sslclient"); !ok {
			t.Errorf("%s admin TLS: %s", party, out)
		}
		for _, node := range nodes {
			id := network.Identities[node]
			if out, ok := opensslVerify(t, org.CACert, id.SignCert); !ok {
				t.Errorf("%s signCert: %s", node, out)
			}
			for _, purpose := range []string{"sslserver", "sslclient"} {
				if out, ok := opensslVerify(t, org.TLSCACert, id.TLSCert, "-purpose", purpose); !ok {
					t.Errorf("%s tlsCert as %s: %s", node, purpose, out)
				}
			}
		}
	}
	if out, ok := opensslVerify(t, network.MSP["fabrikam"].CACert, network.Identities["contoso-peer-1"].SignCert); ok {
		t.Errorf("contoso's peer verified under fabrikam's CA: %s", out)
	}
}

// Sealed files hold no key in the clear; opened with the owner's age key they hold the
// private keys of the public certificates, and a peer's Secret its CouchDB password.
func TestFabricInitSealsKeysOfThePublicCertificates(t *testing.T) {
	f := newFabricFixture(t)
	f.init(t, keys.InitOptions{All: true})
	for path, data := range f.files(t) {
		if strings.Contains(data, "PRIVATE KEY") {
			t.Errorf("%s holds a plaintext key", path)
		}
	}
	network := f.load(t)
	for party, nodes := range fabricNodes {
		for _, node := range nodes {
			data := open(t, f, party, identity.SecretPath(party, node))
			id := network.Identities[node]
			matches(t, node+" sign.key", data[identity.FabricSignKeyEntry], id.SignCert)
			matches(t, node+" tls.key", data[identity.FabricTLSKeyEntry], id.TLSCert)
			password, has := data[layout.CouchDBPasswordEntry]
			if isPeer := network.Nodes[node].Role == model.RolePeer; isPeer != has {
				t.Errorf("%s: couchdb-password present %v, want %v", node, has, isPeer)
			} else if isPeer && !regexp.MustCompile(`^[0-9a-f]{64}$`).Match(password) {
				t.Errorf("%s: couchdb-password %q is not 32 bytes of hex", node, password)
			}
		}
		org := network.MSP[party]
		admin := open(t, f, party, identity.FabricSecretPath(party, identity.FabricAdminSecret))
		matches(t, party+" admin sign.key", admin[identity.FabricSignKeyEntry], org.Admin)
		matches(t, party+" admin tls.key", admin[identity.FabricTLSKeyEntry], org.AdminTLS)
		ca := open(t, f, party, identity.FabricSecretPath(party, identity.FabricCASecret))
		matches(t, party+" ca.key", ca[identity.FabricCAKeyEntry], org.CACert)
		matches(t, party+" tlsca.key", ca[identity.FabricTLSCAKeyEntry], org.TLSCACert)
	}
	// Another party's key opens nothing.
	sealed, _ := os.ReadFile(filepath.Join(f.repo, identity.FabricSecretPath("contoso", identity.FabricCASecret)))
	if _, err := secrets.Open(sealed, f.identities("fabrikam")); err == nil {
		t.Error("fabrikam's key opened contoso's CA keys")
	}
	if err := keys.Verify(f.repo, keys.VerifyOptions{Party: "contoso", Identities: f.identities("contoso")}); err != nil {
		t.Errorf("keys verify: %v", err)
	}
}

func open(t *testing.T, f *fabricFixture, party, path string) map[string][]byte {
	t.Helper()
	sealed, err := os.ReadFile(filepath.Join(f.repo, path))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := secrets.Open(sealed, f.identities(party))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	data, err := identity.FabricSecretData(plain)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func matches(t *testing.T, what string, keyPEM []byte, certPEM string) {
	t.Helper()
	key, err := msp.ParseKeyPEM(keyPEM)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !key.PublicKey.Equal(cert(t, certPEM).PublicKey) {
		t.Errorf("%s is not the key of its certificate", what)
	}
}

// init --party contoso writes contoso's files only, and a later init of another party
// leaves contoso's bytes as they were.
func TestFabricInitPartyNeverTouchesOtherParties(t *testing.T) {
	f := newFabricFixture(t)
	result := f.init(t, keys.InitOptions{Party: "contoso"})
	want := append(fabricPartyFiles("contoso"), secrets.ConfigPath)
	slices.Sort(want)
	if got := slices.Sorted(slices.Values(result.Written)); !slices.Equal(got, want) {
		t.Fatalf("init --party contoso wrote %v, want %v", got, want)
	}
	before := f.files(t)
	f.init(t, keys.InitOptions{Party: "fabrikam"})
	after := f.files(t)
	for _, p := range fabricPartyFiles("contoso") {
		if before[p] != after[p] {
			t.Errorf("init --party fabrikam changed %s", p)
		}
	}
	f.load(t)
}

// A node added after its party's CA exists gets certificates from that CA, which
// needs the CA key: without the party's age identity init refuses in one line and
// writes nothing; with it, only the new node's files are written.
func TestFabricInitNewNodeUsesTheExistingCA(t *testing.T) {
	f := newFabricFixture(t)
	f.init(t, keys.InitOptions{Party: "contoso"})
	ca := cert(t, f.load(t).MSP["contoso"].CACert)
	testenv.EditNetwork(t, f.repo,
		`"contoso-peer-1": {role: "peer", cluster: "contoso-aks-weu", image: peer}`,
		`"contoso-peer-1": {role: "peer", cluster: "contoso-aks-weu", image: peer}
		"contoso-peer-2": {role: "peer", cluster: "contoso-aks-weu", image: peer}`)
	before := f.files(t)

	_, err := keys.Init(f.repo, keys.InitOptions{Party: "contoso"})
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "--identity") || !strings.Contains(err.Error(), "msp-ca.yaml") {
		t.Fatalf("init without the party's identity: %v, want one line asking for --identity", err)
	}
	if _, err := keys.Init(f.repo, keys.InitOptions{Party: "contoso", Identities: f.identities("fabrikam")}); err == nil {
		t.Fatal("another party's age key opened contoso's CA")
	}
	if after := f.files(t); !sameFiles(before, after) {
		t.Fatal("a refused init wrote files")
	}

	result := f.init(t, keys.InitOptions{Party: "contoso", Identities: f.identities("contoso")})
	want := []string{identity.IdentityPath("contoso-peer-2"), identity.SecretPath("contoso", "contoso-peer-2")}
	if got := slices.Sorted(slices.Values(result.Written)); !slices.Equal(got, want) {
		t.Fatalf("wrote %v, want %v", got, want)
	}
	network := f.load(t)
	if err := cert(t, network.Identities["contoso-peer-2"].SignCert).CheckSignatureFrom(ca); err != nil {
		t.Errorf("the new peer's certificate is not from contoso's existing CA: %v", err)
	}
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// A lost cue/msp file does not make init create a second CA beside the sealed one: it
// refuses, naming the sealed file and the file to restore.
func TestFabricInitRefusesANewCABesideASealedOne(t *testing.T) {
	f := newFabricFixture(t)
	f.init(t, keys.InitOptions{Party: "contoso"})
	if err := os.Remove(filepath.Join(f.repo, identity.MSPPath("contoso"))); err != nil {
		t.Fatal(err)
	}
	// The nodes' certificates cannot be checked without the party's MSP: load says so.
	for _, node := range fabricNodes["contoso"] {
		os.Remove(filepath.Join(f.repo, identity.IdentityPath(node)))
	}
	before := f.files(t)
	_, err := keys.Init(f.repo, keys.InitOptions{Party: "contoso", Identities: f.identities("contoso")})
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), "parties/contoso/secrets/msp-ca.yaml: ") || !strings.Contains(err.Error(), "git checkout -- cue/msp/contoso.cue") {
		t.Fatalf("init after losing cue/msp/contoso.cue: %v", err)
	}
	if after := f.files(t); !sameFiles(before, after) {
		t.Fatal("a refused init wrote files")
	}
}

// --rotate replaces a peer's keys and certificates but keeps its CouchDB password: its
// state database was created with it.
func TestFabricInitRotateKeepsCouchDBPassword(t *testing.T) {
	f := newFabricFixture(t)
	f.init(t, keys.InitOptions{Party: "contoso"})
	path := identity.SecretPath("contoso", "contoso-peer-1")
	old := open(t, f, "contoso", path)
	oldCert := f.load(t).Identities["contoso-peer-1"].SignCert
	result := f.init(t, keys.InitOptions{Party: "contoso", Rotate: []string{"contoso-peer-1"}, Identities: f.identities("contoso")})
	want := []string{identity.IdentityPath("contoso-peer-1"), path}
	if got := slices.Sorted(slices.Values(result.Written)); !slices.Equal(got, want) {
		t.Fatalf("rotate wrote %v, want %v", got, want)
	}
	rotated := open(t, f, "contoso", path)
	if string(rotated[layout.CouchDBPasswordEntry]) != string(old[layout.CouchDBPasswordEntry]) {
		t.Error("rotation changed the CouchDB password")
	}
	if string(rotated[identity.FabricSignKeyEntry]) == string(old[identity.FabricSignKeyEntry]) {
		t.Error("rotation kept the signing key")
	}
	if f.load(t).Identities["contoso-peer-1"].SignCert == oldCert {
		t.Error("rotation kept the signing certificate")
	}
}
