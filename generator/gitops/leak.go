package gitops

import (
	"bytes"
	"encoding/base64"
	"regexp"
	"strings"

	"sigs.k8s.io/yaml"
)

var (
	// An age identity: "AGE-SECRET-KEY-1" then bech32 (filippo.io/age x25519.go,
	// X25519Identity.String uses the HRP "AGE-SECRET-KEY-" upper-cased). Bech32 is
	// written all upper or all lower case and age parses both, so both are matched.
	ageSecretKey = regexp.MustCompile(`(?i)AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{20,}`)
	// A PEM private key (PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY", PKCS#8
	// "PRIVATE KEY" / "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY") or an armored
	// OpenPGP secret key ("PGP PRIVATE KEY BLOCK", RFC 4880 §6.2).
	pemPrivateKey = regexp.MustCompile(`-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----`)
	// Public blocks whose base64 is not looked at: certificates, public keys, and the
	// age-armored data key of a SOPS file. A private PEM key is reported before.
	pemBlock = regexp.MustCompile(`(?s)-----BEGIN [A-Z0-9 ]+-----.*?-----END [A-Z0-9 ]+-----`)
	// A SOPS value: its iv is 32 random bytes in base64.
	sopsValue = regexp.MustCompile(`ENC\[[^\]]*\]`)
	// 32 bytes in hex, 0x optional: a secp256k1 node key as Besu reads it.
	hexKey = regexp.MustCompile(`(?i)(?:0x)?[0-9a-f]{64}`)
	// 32 or more bytes in hex with a colon or space between bytes (openssl prints a key
	// "ab:cd:…" over several lines); checked for exactly 32 below.
	spacedHexKey = regexp.MustCompile(`(?i)[0-9a-f]{2}(?:(?::[ \t]*(?:\r?\n[ \t]*)?|[ ])[0-9a-f]{2}){31,}`)
	// A run of the base64 alphabets (standard and URL), padding included.
	base64Run = regexp.MustCompile(`[A-Za-z0-9+/_-]+=*`)
	// What a 32-byte digest is labelled with where it is public: "sha256:<hex>" image
	// digests and Network-Digest, "SHA256 Fingerprint=" of a certificate.
	digestLabel = regexp.MustCompile(`(?i)(?:sha-?256|sha3-256|sha512[/_-]256|keccak-?256|blake2b-?256|blake3|fingerprint)[^\n0-9a-z]{0,3}$`)
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
// nothing): an age identity, a PEM or OpenPGP private key, a 32-byte key in hex (bare,
// 0x- or label:-prefixed, or with colons or spaces between bytes) or in base64, or a
// Kubernetes Secret whose data is not SOPS-encrypted. It errs on the side of refusing:
// a commit of generated files never needs any of these. What it cannot see: a key in
// any other encoding (decimal, split over lines, compressed, encrypted to a wrong
// recipient), and about one random 32-byte base64 key in 5,000 (see base64Key).
func SecretMaterial(data []byte) string {
	switch {
	case ageSecretKey.Match(data):
		return "an age secret key (AGE-SECRET-KEY-1…)"
	case pemPrivateKey.Match(data):
		return "a PEM or OpenPGP private key"
	}
	public := sopsValue.ReplaceAll(pemBlock.ReplaceAll(data, nil), nil)
	for _, m := range hexKey.FindAllIndex(public, -1) {
		if standalone(public, m[0], m[1]) && !digest(public, m[0]) &&
			!knownPublicHex[strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(string(public[m[0]:m[1]]), "0x"), "0X"))] {
			return "a bare 32-byte hex key"
		}
	}
	for _, m := range spacedHexKey.FindAllIndex(public, -1) {
		if spacedKey(public[m[0]:m[1]]) && standalone(public, m[0], m[1]) && !digest(public, m[0]) {
			return "a 32-byte hex key with separators"
		}
	}
	for _, m := range base64Run.FindAll(public, -1) {
		if base64Key(m) {
			return "a 32-byte base64 key"
		}
	}
	if plaintextSecret(data) {
		return "a Kubernetes Secret whose data is not SOPS-encrypted"
	}
	return ""
}

// standalone reports whether data[start:end] is not part of a longer word: a 64-hex
// half of a 128-hex public key, or a Fabric keystore name "<ski>_sk", is not a key.
// A colon before it is a label ("key:<hex>"); digest says which labels are public.
func standalone(data []byte, start, end int) bool {
	word := func(b byte) bool {
		return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_'
	}
	return (start == 0 || !word(data[start-1])) && (end == len(data) || !word(data[end]))
}

// digest reports whether the hex at start is labelled as a digest: public.
func digest(data []byte, start int) bool {
	line := data[max(0, start-40):start]
	if i := bytes.LastIndexByte(line, '\n'); i >= 0 {
		line = line[i+1:]
	}
	return digestLabel.Match(line)
}

// spacedKey reports whether s holds exactly 32 bytes (33 with openssl's leading 00).
func spacedKey(s []byte) bool {
	n := 0
	for _, b := range s {
		if b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F' {
			n++
		}
	}
	return n == 64 || n == 66 && s[0] == '0' && s[1] == '0'
}

// base64Key reports whether a base64 run is exactly 32 bytes (43 characters, padded
// or not) that look random: both letter cases and at least 24 distinct characters.
// Names, paths and words of 43 characters fail that; a random key fails it about once
// in 5,000 (measured: 24 distinct characters is 4 standard deviations below the mean
// of 31.5).
func base64Key(run []byte) bool {
	body := bytes.TrimRight(run, "=")
	if len(body) != 43 || len(run)-len(body) > 1 {
		return false
	}
	var upper, lower bool
	distinct := map[byte]bool{}
	for _, b := range body {
		upper = upper || b >= 'A' && b <= 'Z'
		lower = lower || b >= 'a' && b <= 'z'
		distinct[b] = true
	}
	if !upper || !lower || len(distinct) < 24 {
		return false
	}
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(string(body)); err == nil && len(key) == 32 {
			return true
		}
	}
	return false
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
