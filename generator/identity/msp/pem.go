package msp

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// CertPEM encodes a certificate the way Fabric reads it: one CERTIFICATE block
// (msp/mspimpl.go IsWellFormed accepts that type or none).
func CertPEM(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}

// KeyPEM encodes a private key as PKCS#8 PEM, the form Fabric's keystore/ and TLS
// key files hold. The bytes are secret: seal them, never write them in the clear.
func KeyPEM(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParseCertPEM reads exactly one PEM certificate.
func ParseCertPEM(data []byte) (*x509.Certificate, error) {
	block, rest := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("PEM block is %q, want CERTIFICATE", block.Type)
	}
	if len(rest) > 0 {
		// Fabric reads only the first block of a file and refuses trailing bytes in a
		// serialized identity (msp/mspimpl.go IsWellFormed).
		return nil, errors.New("trailing data after the certificate")
	}
	return x509.ParseCertificate(block.Bytes)
}

// ParseKeyPEM reads a PKCS#8 PEM private key, which must be ECDSA P-256.
func ParseKeyPEM(data []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("no PKCS#8 PRIVATE KEY PEM block")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	key, ok := parsed.(*ecdsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("key is %T, want ECDSA", parsed)
	}
	if _, err := checkKey(&key.PublicKey); err != nil {
		return nil, err
	}
	return key, nil
}
