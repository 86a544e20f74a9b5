package ccaas

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// DefaultDialTimeout is written when Connection.DialTimeout is zero. It is the peer's
// own default (Fabric v2.5.16 core/container/externalbuilder/instance.go DialTimeout),
// but it must be written out: the ccaas build step copies dial_timeout as a string,
// turning an absent one into "", which the peer then fails to parse as a duration.
const DefaultDialTimeout = 3 * time.Second

// Connection is how the peer reaches the chaincode server.
type Connection struct {
	// Address is the server's host:port as the peer dials it, e.g. a Service name.
	Address string
	// DialTimeout bounds each connection attempt; zero means DefaultDialTimeout.
	DialTimeout time.Duration
	// TLS, when set, makes the peer dial with TLS (tls_required); nil dials in clear.
	TLS *TLS
}

// TLS is what the peer needs to dial the chaincode server over TLS.
type TLS struct {
	// RootCert is the PEM CA certificate the server's certificate chains to. Required:
	// the peer refuses tls_required without root_cert (instance.go ChaincodeServerInfo).
	RootCert []byte
	// ClientCert and ClientKey (PEM) are the peer's client identity when the server
	// requires client certificates (client_auth_required). Set both or neither.
	//
	// Fabric's ccaas builder takes them as PEM text inside connection.json, so a
	// package built with them carries a private key: it is then a secret, to be sealed
	// like any other key and never committed in clear. Without them the package holds
	// only public values.
	ClientCert []byte
	ClientKey  []byte
}

// connectionFile is connection.json, field for field the struct the ccaas builder's
// build and release steps read (Fabric v2.5.16 and v3.1.5 ccaas_builder/cmd/build/main.go
// type connection). dial_timeout is a string there, so a Go duration string is written.
// The peer's own reader (core/container/externalbuilder/instance.go
// ChaincodeServerUserData) has more fields (v3.1.5 adds "domain"), but the build step
// rewrites the file from its own struct and drops anything else, so nothing else is
// written.
type connectionFile struct {
	Address            string `json:"address"`
	DialTimeout        string `json:"dial_timeout"`
	TLSRequired        bool   `json:"tls_required"`
	ClientAuthRequired bool   `json:"client_auth_required"`
	RootCert           string `json:"root_cert,omitempty"`
	ClientKey          string `json:"client_key,omitempty"`
	ClientCert         string `json:"client_cert,omitempty"`
}

// connectionJSON validates c and encodes it as connection.json.
func connectionJSON(c Connection) ([]byte, error) {
	if err := validateAddress(c.Address); err != nil {
		return nil, err
	}
	if c.DialTimeout < 0 {
		return nil, fmt.Errorf("chaincode dial timeout %v is negative", c.DialTimeout)
	}
	timeout := c.DialTimeout
	if timeout == 0 {
		timeout = DefaultDialTimeout
	}
	f := connectionFile{Address: c.Address, DialTimeout: timeout.String()}
	if c.TLS != nil {
		if err := validateTLS(*c.TLS); err != nil {
			return nil, err
		}
		f.TLSRequired = true
		f.RootCert = string(c.TLS.RootCert)
		if c.TLS.ClientCert != nil {
			f.ClientAuthRequired = true
			f.ClientCert = string(c.TLS.ClientCert)
			f.ClientKey = string(c.TLS.ClientKey)
		}
	}
	return json.Marshal(f) //nolint:gosec // client_key is a field of connection.json, the file the ccaas builder reads
}

// validateAddress refuses what the peer could not dial. It also refuses "{{": the
// ccaas build step runs every string of connection.json through text/template
// (ccaas_builder/cmd/build/main.go execTempl), so such an address would be rewritten
// from the peer's CHAINCODE_AS_A_SERVICE_BUILDER_CONFIG, which flux-ledger does not set.
func validateAddress(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("chaincode address %q: want host:port: %w", addr, err)
	}
	if host == "" {
		return fmt.Errorf("chaincode address %q has no host", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("chaincode address %q: port must be 1-65535", addr)
	}
	if strings.Contains(addr, "{{") {
		return fmt.Errorf("chaincode address %q: the ccaas builder would expand {{ }} as a template", addr)
	}
	return nil
}

// validateTLS checks the PEM the peer will load, so a broken certificate fails here
// and not when the peer first dials the chaincode.
func validateTLS(t TLS) error {
	if len(t.RootCert) == 0 {
		return errors.New("chaincode TLS: root certificate is required (Fabric refuses tls_required without root_cert)")
	}
	if err := parseCertificates(t.RootCert); err != nil {
		return fmt.Errorf("chaincode TLS root certificate: %w", err)
	}
	if (t.ClientCert == nil) != (t.ClientKey == nil) {
		return errors.New("chaincode TLS: client certificate and client key go together")
	}
	if t.ClientCert != nil {
		// The peer builds its client certificate from this pair with crypto/tls.
		if _, err := tls.X509KeyPair(t.ClientCert, t.ClientKey); err != nil {
			return fmt.Errorf("chaincode TLS client certificate and key: %w", err)
		}
	}
	return nil
}

// parseCertificates requires PEM holding only certificates, at least one.
func parseCertificates(data []byte) error {
	n := 0
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			if len(strings.TrimSpace(string(rest))) != 0 {
				return errors.New("trailing data that is not PEM")
			}
			break
		}
		if block.Type != "CERTIFICATE" {
			return fmt.Errorf("PEM block %q, want CERTIFICATE", block.Type)
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return errors.New("no PEM certificate")
	}
	return nil
}
