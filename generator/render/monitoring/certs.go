package monitoring

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// RenewWithin is the renewal window the certificate alerts announce: the window
// `flux-ledger keys renew` uses when given none (keys.DefaultRenewWithin, a month),
// so the alert fires exactly when a renewal would re-issue the certificate.
const RenewWithin = 30 * 24 * time.Hour

// certificateRules alert when a certificate of the party's MSP, or of one of the
// cluster's nodes, enters the renewal window. Fabric exports no expiry metric (see
// Metrics), but every certificate it uses is public and in this repository, so the
// moment is known when rendering: each rule compares the clock with it. `keys renew`
// changes the certificate, the next generate moves the rule, and the alert clears.
func certificateRules(network *model.Network, party model.Party, nodes []model.Node) ([]monitoringv1.Rule, error) {
	type cert struct{ field, what, pem string }
	var certs []cert
	if org, ok := network.MSP[party.Name]; ok {
		certs = append(certs,
			cert{"msp." + party.Name + ".caCert", party.Name + " CA", org.CACert},
			cert{"msp." + party.Name + ".tlsCACert", party.Name + " TLS CA", org.TLSCACert},
			cert{"msp." + party.Name + ".admin", party.Name + " admin", org.Admin},
			cert{"msp." + party.Name + ".adminTLS", party.Name + " admin TLS", org.AdminTLS},
		)
	}
	for _, n := range nodes {
		id := network.Identities[n.Name]
		certs = append(certs,
			cert{"identities." + n.Name + ".signCert", n.Name + " signing", id.SignCert},
			cert{"identities." + n.Name + ".tlsCert", n.Name + " TLS", id.TLSCert},
		)
	}
	var rules []monitoringv1.Rule
	for _, c := range certs {
		if c.pem == "" {
			continue
		}
		notAfter, err := notAfter(c.pem)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.field, err)
		}
		due := notAfter.Add(-RenewWithin)
		r := alert("FabricCertificateRenewalDue",
			fmt.Sprintf("vector(time()) > %d", due.Unix()),
			0, SeverityWarning,
			fmt.Sprintf("The %s certificate expires at %s", c.what, notAfter.UTC().Format(time.RFC3339)),
			"flux-ledger keys renew --party "+party.Name+" re-issues it for the same key; commit, generate and merge before it expires")
		r.Labels["certificate"] = c.what
		rules = append(rules, r)
	}
	return rules, nil
}

// notAfter reads the end of a PEM certificate's validity.
func notAfter(data string) (time.Time, error) {
	block, _ := pem.Decode([]byte(data))
	if block == nil || block.Type != "CERTIFICATE" {
		return time.Time{}, fmt.Errorf("not a PEM certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return time.Time{}, err
	}
	return cert.NotAfter, nil
}
