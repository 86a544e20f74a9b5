package keys_test

import (
	"crypto/ecdsa"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

func (f *fabricFixture) renew(t *testing.T, opts keys.RenewOptions) *keys.Result {
	t.Helper()
	result, err := keys.Renew(f.repo, opts)
	if err != nil {
		t.Fatal(err)
	}
	return result
}

// certificates lists a party's certificates by what they are.
func certificates(network *model.Network, party string) map[string]string {
	org := network.MSP[party]
	out := map[string]string{"ca": org.CACert, "tlsca": org.TLSCACert, "admin": org.Admin, "adminTLS": org.AdminTLS}
	for name, node := range network.Nodes {
		if node.Party == party {
			out[name+" sign"] = network.Identities[name].SignCert
			out[name+" tls"] = network.Identities[name].TLSCert
		}
	}
	return out
}

// Eleven months on, with a month's window, every leaf of the party is re-issued for
// the same public key with a later NotAfter; the CAs (ten years) are left alone, no
// sealed file changes, the network loads and the sealed keys still match. A second
// run, nothing being due, writes nothing.
func TestFabricRenewExtendsLeavesWithTheSameKeys(t *testing.T) {
	f := newFabricFixture(t)
	f.init(t, keys.InitOptions{All: true})
	before := f.load(t)
	files := f.files(t)
	at := time.Now().Add(340 * 24 * time.Hour)
	result := f.renew(t, keys.RenewOptions{Party: "contoso", Identities: f.identities("contoso"), Now: at})
	want := []string{"cue/identities/contoso-orderer-1.cue", "cue/identities/contoso-peer-1.cue", "cue/msp/contoso.cue"}
	if got := slices.Sorted(slices.Values(result.Written)); !slices.Equal(got, want) {
		t.Fatalf("renew wrote %v, want %v", got, want)
	}
	after := f.load(t)
	old, renewed := certificates(before, "contoso"), certificates(after, "contoso")
	for what, pem := range old {
		o, n := cert(t, pem), cert(t, renewed[what])
		if !o.PublicKey.(*ecdsa.PublicKey).Equal(n.PublicKey) {
			t.Errorf("%s: renewal changed the public key", what)
		}
		isCA := what == "ca" || what == "tlsca"
		if isCA != (pem == renewed[what]) {
			t.Errorf("%s: renewed %v, want %v", what, pem != renewed[what], !isCA)
		}
		if !isCA && !n.NotAfter.After(o.NotAfter) {
			t.Errorf("%s: NotAfter %s, not after %s", what, n.NotAfter, o.NotAfter)
		}
		if !isCA && n.NotAfter.Before(at.Add(keys.LeafValidity-time.Hour)) {
			t.Errorf("%s: NotAfter %s, want a year from the renewal", what, n.NotAfter)
		}
	}
	for path, data := range f.files(t) {
		if strings.HasPrefix(path, "parties/") && files[path] != data {
			t.Errorf("renew changed sealed file %s", path)
		}
	}
	if err := keys.Verify(f.repo, keys.VerifyOptions{Party: "contoso", Identities: f.identities("contoso")}); err != nil {
		t.Errorf("keys verify after renew: %v", err)
	}
	// The other parties' certificates are not the caller's to renew.
	if o, n := certificates(before, "fabrikam"), certificates(after, "fabrikam"); !sameFiles(o, n) {
		t.Error("renew --party contoso changed fabrikam's certificates")
	}
	if again := f.renew(t, keys.RenewOptions{Party: "contoso", Identities: f.identities("contoso")}); len(again.Written) != 0 {
		t.Errorf("renew with nothing due wrote %v", again.Written)
	}
}

// When the window reaches the CAs' end, they are re-issued too, for the same key and
// from the same start: the certificates they issued before still validate under them
// as Fabric's MSP checks.
func TestFabricRenewReissuesCAsAndOldLeavesStillChain(t *testing.T) {
	f := newFabricFixture(t)
	f.init(t, keys.InitOptions{Party: "contoso"})
	before := f.load(t)
	oldPeer := cert(t, before.Identities["contoso-peer-1"].SignCert)
	f.renew(t, keys.RenewOptions{Party: "contoso", Identities: f.identities("contoso"), Now: time.Now().Add(24 * time.Hour), Within: keys.CAValidity})
	after := f.load(t)
	for what, pem := range certificates(before, "contoso") {
		if certificates(after, "contoso")[what] == pem {
			t.Errorf("%s was not renewed", what)
		}
	}
	oldCA, newCA := cert(t, before.MSP["contoso"].CACert), cert(t, after.MSP["contoso"].CACert)
	if !newCA.NotAfter.After(oldCA.NotAfter) || !newCA.NotBefore.Equal(oldCA.NotBefore) {
		t.Errorf("renewed CA valid %s–%s, was %s–%s", newCA.NotBefore, newCA.NotAfter, oldCA.NotBefore, oldCA.NotAfter)
	}
	files, err := msp.Files(newCA, cert(t, after.MSP["contoso"].TLSCACert), nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := msp.ParseMSP(files)
	if err != nil {
		t.Fatal(err)
	}
	if role, err := m.VerifySigning(oldPeer, time.Now()); err != nil || role != msp.RolePeer {
		t.Errorf("the peer certificate issued before the CA renewal: role %q, %v", role, err)
	}
	if out, ok := opensslVerify(t, after.MSP["contoso"].CACert, string(msp.CertPEM(oldPeer))); !ok {
		t.Errorf("openssl: the old peer certificate under the renewed CA: %s", out)
	}
}

// Renewal needs the party's CA keys: without its age identity it refuses in one line;
// --rekey gives a node new keys (sealed) and certificates for them.
func TestFabricRenewNeedsTheIdentityAndRekeys(t *testing.T) {
	f := newFabricFixture(t)
	f.init(t, keys.InitOptions{Party: "contoso"})
	_, err := keys.Renew(f.repo, keys.RenewOptions{Party: "contoso"})
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "--identity") {
		t.Fatalf("renew without an identity: %v", err)
	}
	if _, err := keys.Renew(f.repo, keys.RenewOptions{Party: "contoso", Rekey: []string{"fabrikam-peer-1"}, Identities: f.identities("contoso")}); err == nil || !strings.Contains(err.Error(), `contoso has no node "fabrikam-peer-1"`) {
		t.Fatalf("rekey of another party's node: %v", err)
	}
	before := f.load(t).Identities["contoso-orderer-1"]
	result := f.renew(t, keys.RenewOptions{Party: "contoso", Rekey: []string{"contoso-orderer-1"}, Identities: f.identities("contoso")})
	want := []string{identity.IdentityPath("contoso-orderer-1"), identity.SecretPath("contoso", "contoso-orderer-1")}
	if got := slices.Sorted(slices.Values(result.Written)); !slices.Equal(got, want) {
		t.Fatalf("rekey wrote %v, want %v", got, want)
	}
	after := f.load(t).Identities["contoso-orderer-1"]
	if cert(t, before.SignCert).PublicKey.(*ecdsa.PublicKey).Equal(cert(t, after.SignCert).PublicKey) {
		t.Error("--rekey kept the signing key")
	}
	if err := keys.Verify(f.repo, keys.VerifyOptions{Party: "contoso", Identities: f.identities("contoso")}); err != nil {
		t.Errorf("keys verify after rekey: %v", err)
	}
}
