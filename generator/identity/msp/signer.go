package msp

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// maxSignAttempts bounds the re-signing loop. Each ECDSA signature is low-S with
// probability one half, so 64 attempts fail with probability 2^-64.
const maxSignAttempts = 64

// lowSSigner signs certificates with ECDSA and keeps only low-S signatures. Fabric
// re-encodes a certificate whose signature is high-S (msp/cert.go
// sanitizeECDSASignedCert, using bccsp/utils IsLowS), after which its bytes, hash and
// identity identifier differ from the file on disk. Go's ecdsa does not normalise S,
// so the signer asks crypto/ecdsa for a fresh signature until one is low-S instead of
// rewriting S itself: every signature stays exactly what crypto/ecdsa produced.
type lowSSigner struct{ key *ecdsa.PrivateKey }

func (s lowSSigner) Public() crypto.PublicKey { return &s.key.PublicKey }

func (s lowSSigner) Sign(_ io.Reader, digest []byte, _ crypto.SignerOpts) ([]byte, error) {
	for range maxSignAttempts {
		sig, err := ecdsa.SignASN1(rand.Reader, s.key, digest)
		if err != nil {
			return nil, err
		}
		if err := checkSignature(&s.key.PublicKey, sig); err == nil {
			return sig, nil
		}
	}
	return nil, errors.New("no low-S signature after repeated attempts")
}

type ecdsaSignature struct{ R, S *big.Int }

// checkSignature accepts a signature Fabric keeps byte for byte: canonical DER
// (msp/mspimpl.go isIdentitySignedInCanonicalForm re-marshals and compares) with S at
// most half the group order (bccsp/utils IsLowS, used by msp/cert.go
// sanitizeECDSASignedCert).
func checkSignature(pub *ecdsa.PublicKey, sig []byte) error {
	var v ecdsaSignature
	rest, err := asn1.Unmarshal(sig, &v)
	if err != nil {
		return fmt.Errorf("signature is not DER: %w", err)
	}
	if len(rest) > 0 || v.R == nil || v.S == nil || v.R.Sign() != 1 || v.S.Sign() != 1 {
		return errors.New("signature is not a well-formed ECDSA signature")
	}
	again, err := asn1.Marshal(v)
	if err != nil || !bytes.Equal(again, sig) {
		return errors.New("signature is not in canonical DER")
	}
	half := new(big.Int).Rsh(pub.Curve.Params().N, 1)
	if v.S.Cmp(half) > 0 {
		return errors.New("signature is high-S: Fabric would re-encode the certificate")
	}
	return nil
}

// newKey makes the only key type this package issues for: ECDSA P-256, the curve
// cryptogen and Fabric CA use by default.
func newKey() (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

func checkKey(pub any) (*ecdsa.PublicKey, error) {
	key, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("key is %T, want ECDSA P-256", pub)
	}
	if key.Curve != elliptic.P256() {
		return nil, fmt.Errorf("key is on %s, want P-256", key.Curve.Params().Name)
	}
	return key, nil
}
