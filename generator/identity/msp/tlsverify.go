package msp

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// VerifyTLS checks a TLS certificate as the two ends of a Fabric connection do at time
// now: as a server certificate (Go's crypto/tls client verifies with ServerAuth) and
// as a client certificate (Fabric's gRPC servers require and verify client
// certificates, internal/pkg/comm/server.go NewGRPCServerFromListener, which Go
// verifies with ClientAuth), both against the MSP's TLS CAs. Every host in hosts must
// be in the certificate's SANs, or a peer dialling that name fails the handshake.
func (m *MSP) VerifyTLS(leaf *x509.Certificate, now time.Time, hosts ...string) error {
	if leaf.IsCA {
		return errors.New("a CA certificate cannot be a TLS certificate")
	}
	for _, usage := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		opts := FabricVerifyOptions(m.TLSCACerts, now)
		opts.KeyUsages = []x509.ExtKeyUsage{usage}
		chains, err := leaf.Verify(opts)
		if err != nil {
			return fmt.Errorf("TLS certificate %s is not valid for %s: %w", leaf.Subject.CommonName, usageName(usage), err)
		}
		if len(chains[0]) < 2 {
			return fmt.Errorf("TLS certificate %s is itself a TLS CA", leaf.Subject.CommonName)
		}
		if err := checkProfile(leaf, chains[0][1]); err != nil {
			return fmt.Errorf("TLS certificate %s: %w", leaf.Subject.CommonName, err)
		}
	}
	for _, host := range hosts {
		if err := leaf.VerifyHostname(host); err != nil {
			return fmt.Errorf("TLS certificate %s: %w", leaf.Subject.CommonName, err)
		}
	}
	return nil
}

func usageName(usage x509.ExtKeyUsage) string {
	if usage == x509.ExtKeyUsageClientAuth {
		return "client authentication"
	}
	return "server authentication"
}
