package monitoring_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
)

// k, the block periods without a block that make a stopped chain, worked out by
// hand: ceil((15s scrape + request timeout) / period) + 2, and never below 10.
func TestStoppedBlocks(t *testing.T) {
	for _, c := range []struct {
		period, timeout, want int
	}{
		{2, 10, 15},   // ceil(25/2)=13, +2
		{5, 10, 10},   // ceil(25/5)=5, +2 = 7 → at least 10
		{1, 60, 77},   // ceil(75/1)=75, +2
		{60, 600, 13}, // ceil(615/60)=11, +2
		{4, 1, 10},    // ceil(16/4)=4, +2 = 6 → 10
	} {
		got := monitoring.StoppedBlocks(model.Consensus{BlockPeriodSeconds: c.period, RequestTimeoutSeconds: c.timeout})
		if got != c.want {
			t.Errorf("period %ds, request timeout %ds: k = %d, want %d", c.period, c.timeout, got, c.want)
		}
	}
}

// The certificate alert's window is the one `keys renew` uses by default: the alert
// fires exactly when a renewal would re-issue the certificate.
func TestCertificateWindowIsTheRenewalWindow(t *testing.T) {
	if monitoring.RenewWithin != keys.DefaultRenewWithin {
		t.Fatalf("monitoring.RenewWithin %s, keys.DefaultRenewWithin %s", monitoring.RenewWithin, keys.DefaultRenewWithin)
	}
}

func certPEM(t *testing.T, notAfter time.Time) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"}, NotBefore: notAfter.Add(-365 * 24 * time.Hour), NotAfter: notAfter}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// Each certificate of the party and of the cluster's nodes gets a rule that fires
// 30 days before its end, and a certificate that does not parse is an error naming
// the field it came from.
func TestCertificateRenewalRules(t *testing.T) {
	_, fabric := networks(t)
	party := fabric.Parties["contoso"]
	cluster := fabric.Clusters["contoso-aks-weu"]
	node := fabric.Nodes["contoso-peer-1"]
	tlsEnd := time.Date(2028, 3, 1, 12, 0, 0, 0, time.UTC)
	id := fabric.Identities[node.Name]
	id.TLSCert = certPEM(t, tlsEnd)
	fabric.Identities[node.Name] = id

	r, err := monitoring.PrometheusRule(fabric, peering.Of(fabric), party, cluster, []model.Node{node})
	if err != nil {
		t.Fatal(err)
	}
	// 2028-03-01T12:00:00Z is 1835524800; 30 days earlier, 1832932800.
	want := "vector(time()) > 1832932800"
	var certs []string
	found := false
	for _, rule := range r.Spec.Groups[0].Rules {
		if rule.Alert != "FabricCertificateRenewalDue" {
			continue
		}
		certs = append(certs, rule.Labels["certificate"])
		if rule.Labels["certificate"] == "contoso-peer-1 TLS" {
			found = true
			if rule.Expr.String() != want {
				t.Errorf("TLS certificate rule %q, want %q", rule.Expr.String(), want)
			}
			if !strings.Contains(rule.Annotations["summary"], "2028-03-01T12:00:00Z") {
				t.Errorf("summary %q does not say when it expires", rule.Annotations["summary"])
			}
		}
	}
	if !found || len(certs) != 6 {
		t.Errorf("certificates alerted on: %v; want the party's CA, TLS CA, admin, admin TLS and the node's signing and TLS", certs)
	}

	id.SignCert = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"
	fabric.Identities[node.Name] = id
	_, err = monitoring.PrometheusRule(fabric, peering.Of(fabric), party, cluster, []model.Node{node})
	if err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("identities.%s.signCert: ", node.Name)) {
		t.Errorf("a broken certificate gives %v, want an error naming identities.%s.signCert", err, node.Name)
	}
}
