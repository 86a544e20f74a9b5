package msp_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
)

// t0 is the fixed "now" of every test: validity checks, Go's verification and
// openssl's -attime all read it, so no test depends on the wall clock.
var t0 = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return t0 }

// year is a validity starting a minute before t0.
func year() msp.Validity {
	return msp.Validity{NotBefore: t0.Add(-time.Minute), NotAfter: t0.AddDate(1, 0, 0)}
}

// caValidity is wider than any leaf's, as the package requires.
func caValidity() msp.Validity {
	return msp.Validity{NotBefore: t0.Add(-time.Hour), NotAfter: t0.AddDate(10, 0, 0)}
}

func newOrg(t *testing.T, mspID string) *msp.Org {
	t.Helper()
	org, err := msp.NewOrg(msp.OrgOptions{MSPID: mspID, Domain: strings.ToLower(mspID) + ".example.com", Validity: caValidity(), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return org
}

func issueSigning(t *testing.T, ca *msp.CA, name string, role msp.Role) *msp.Leaf {
	t.Helper()
	leaf, err := ca.IssueSigning(msp.SigningOptions{Name: name, Role: role, Validity: year()})
	if err != nil {
		t.Fatal(err)
	}
	return leaf
}

func parseMSP(t *testing.T, org *msp.Org) *msp.MSP {
	t.Helper()
	files, err := org.Files(nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := msp.ParseMSP(files)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// parseMSPWithCA parses org's MSP with a second certificate in cacerts/, which
// config.yaml does not name.
func parseMSPWithCA(t *testing.T, org *msp.Org, extra *x509.Certificate) *msp.MSP {
	t.Helper()
	files, err := org.Files(nil)
	if err != nil {
		t.Fatal(err)
	}
	files["cacerts/extra-cert.pem"] = msp.CertPEM(extra)
	m, err := msp.ParseMSP(files)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// fabricChains verifies cert exactly as Fabric's MSP does, written out here rather than
// taken from the package under test: roots are the CA certificates, Intermediates an
// empty pool, KeyUsages unset (Go then requires ServerAuth), and the time the leaf's
// NotBefore plus one second (Fabric v2.5.16 and v3.1.5 msp/mspimplsetup.go setupCAs,
// msp/mspimplvalidate.go getValidityOptsForCert).
func fabricChains(cert *x509.Certificate, roots ...*x509.Certificate) ([][]*x509.Certificate, error) {
	opts := x509.VerifyOptions{Roots: x509.NewCertPool(), Intermediates: x509.NewCertPool(), CurrentTime: cert.NotBefore.Add(time.Second)}
	for _, root := range roots {
		opts.Roots.AddCert(root)
	}
	return cert.Verify(opts)
}

// signWith issues a certificate from template with crypto/x509 directly, for the
// certificates the package refuses to make (wrong usages, wrong OUs).
func signWith(t *testing.T, template *x509.Certificate, ca *msp.CA, signer any) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(ca.Key.Curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if template.SerialNumber == nil {
		template.SerialNumber = big.NewInt(7)
	}
	if template.NotBefore.IsZero() {
		template.NotBefore, template.NotAfter = year().NotBefore, year().NotAfter
	}
	if signer == nil {
		signer = ca.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca.Cert, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// opensslPath finds openssl; without it the openssl checks are skipped, unless
// FLUX_LEDGER_REQUIRE_TOOLS=1 says the run must prove them.
func opensslPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("FLUX_LEDGER_REQUIRE_TOOLS") == "1" {
			t.Fatal("openssl not found and FLUX_LEDGER_REQUIRE_TOOLS=1")
		}
		t.Skip("openssl not found: install OpenSSL 3 to check certificates with it")
	}
	return path
}

// writePEM writes public certificates for openssl to read.
func writePEM(t *testing.T, dir, name string, certs ...*x509.Certificate) string {
	t.Helper()
	var data []byte
	for _, cert := range certs {
		data = append(data, msp.CertPEM(cert)...)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// opensslVerify runs `openssl verify -CAfile ca leaf` at time at, with extra flags
// (e.g. -purpose), and returns its combined output and whether it accepted.
func opensslVerify(t *testing.T, ca, leaf *x509.Certificate, at time.Time, extra ...string) (string, bool) {
	t.Helper()
	openssl := opensslPath(t)
	dir := t.TempDir()
	args := append([]string{"verify", "-CAfile", writePEM(t, dir, "ca.pem", ca), "-attime", strconv.FormatInt(at.Unix(), 10)}, extra...)
	args = append(args, writePEM(t, dir, "leaf.pem", leaf))
	out, err := exec.Command(openssl, args...).CombinedOutput()
	return string(out), err == nil
}

// opensslText is `openssl x509 -noout -text` of cert.
func opensslText(t *testing.T, cert *x509.Certificate) string {
	t.Helper()
	openssl := opensslPath(t)
	out, err := exec.Command(openssl, "x509", "-noout", "-text", "-in", writePEM(t, t.TempDir(), "cert.pem", cert)).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl x509: %v\n%s", err, out)
	}
	return string(out)
}

func ecdsaKey(curve elliptic.Curve) (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(curve, rand.Reader)
}
