package gitops

import (
	"bytes"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"
)

var (
	// An age identity: "AGE-SECRET-KEY-1" then bech32 (filippo.io/age x25519.go,
	// X25519Identity.String uses the HRP "AGE-SECRET-KEY-" upper-cased).
	ageSecretKey = regexp.MustCompile(`AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{20,}`)
	// A PEM private key (PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY", PKCS#8
	// "PRIVATE KEY" / "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY") or an armored
	// OpenPGP secret key ("PGP PRIVATE KEY BLOCK", RFC 4880 §6.2).
	pemPrivateKey = regexp.MustCompile(`-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----`)
	// A bare 32-byte hex number, 0x optional, standing alone: a secp256k1 node key as
	// Besu reads it. Digests written "sha256:<hex>" (image digests, Network-Digest)
	// are preceded by a colon and are not matched.
	bareHexKey = regexp.MustCompile(`(?:^|[^0-9A-Za-z:_])(?:0x)?([0-9a-fA-F]{64})(?:[^0-9A-Za-z]|$)`)
)

// knownPublicHex are 32-byte constants of public formats that look like a bare key:
// the all-zero hash (genesis parentHash) and the mixHash every QBFT/IBFT genesis
// carries (Quorum's IstanbulDigest, commented there as the hash of "Istanbul practical
// byzantine fault tolerance"; it reads "ctical byzantine fault tolerance" in ASCII).
var knownPublicHex = map[string]bool{
	strings.Repeat("0", 64): true,
	"63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365": true,
}

// SecretMaterial reports what in data looks like private key material ("" if
// nothing): an age identity, a PEM or OpenPGP private key, a bare 32-byte hex key, or a
// Kubernetes Secret whose data is not SOPS-encrypted. It errs on the side of refusing:
// a commit of generated files never needs any of these.
func SecretMaterial(data []byte) string {
	switch {
	case ageSecretKey.Match(data):
		return "an age secret key (AGE-SECRET-KEY-1…)"
	case pemPrivateKey.Match(data):
		return "a PEM or OpenPGP private key"
	}
	for _, m := range bareHexKey.FindAllSubmatch(data, -1) {
		if !knownPublicHex[strings.ToLower(string(m[1]))] {
			return "a bare 32-byte hex key"
		}
	}
	if plaintextSecret(data) {
		return "a Kubernetes Secret whose data is not SOPS-encrypted"
	}
	return ""
}

// plaintextSecret reports whether one of the YAML documents in data is a Secret with
// a data or stringData value that is not a SOPS ENC[…] value.
func plaintextSecret(data []byte) bool {
	if !bytes.Contains(data, []byte("Secret")) {
		return false
	}
	for _, doc := range bytes.Split(data, []byte("\n---")) {
		var obj struct {
			Kind       string         `json:"kind"`
			Data       map[string]any `json:"data"`
			StringData map[string]any `json:"stringData"`
		}
		if yaml.Unmarshal(doc, &obj) != nil || obj.Kind != "Secret" {
			continue
		}
		for _, values := range []map[string]any{obj.Data, obj.StringData} {
			for _, v := range values {
				if s, ok := v.(string); !ok || !strings.HasPrefix(s, "ENC[AES256_GCM,") {
					return true
				}
			}
		}
	}
	return false
}
