package gitops

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
)

// spaced writes key as hex with sep between bytes.
func spaced(key []byte, sep string) string {
	parts := make([]string, len(key))
	for i, b := range key {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(parts, sep)
}

// A party's node key pasted into a file in any of the encodings tools print it in is
// refused: the scan does not depend on the key being written the way Besu reads it.
func TestLeakScanCatchesEveryCommonEncodingOfAKey(t *testing.T) {
	key := sha256.Sum256([]byte("a node key"))
	k := key[:]
	identity, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	// openssl ec -text prints "priv:" then 15 bytes a line, with a leading 00 when the
	// top bit is set.
	openssl := "priv:\n    00:" + spaced(k[:14], ":") + ":\n    " + spaced(k[14:29], ":") + ":\n    " + spaced(k[29:], ":") + "\n"
	cases := map[string]string{
		"lower-case age identity": strings.ToLower(identity.String()),
		"0x hex":                  "nodekey: 0x" + hex.EncodeToString(k),
		"0X hex, upper case":      "0X" + strings.ToUpper(hex.EncodeToString(k)),
		"key: hex":                "key:" + hex.EncodeToString(k),
		"JSON hex":                `{"privateKey":"0x` + hex.EncodeToString(k) + `"}`,
		"base64":                  "key: " + base64.StdEncoding.EncodeToString(k),
		"base64 in quotes":        `"` + base64.StdEncoding.EncodeToString(k) + `"`,
		"base64url unpadded":      "k=" + base64.RawURLEncoding.EncodeToString(k),
		"hex with colons":         spaced(k, ":"),
		"hex with spaces":         "key " + spaced(k, " "),
		"openssl -text":           openssl,
	}
	for name, text := range cases {
		if got := SecretMaterial([]byte("# notes\n" + text + "\n")); got == "" {
			t.Errorf("%s: not reported:\n%s", name, text)
		}
	}
}

// Public material of the same lengths is not a key: addresses (20 bytes), public keys
// and enode URLs (64 bytes), sha256 digests where they are labelled, a certificate's
// colon fingerprint, Fabric keystore names, content-hashed names, certificates and
// the base64 of a SOPS file (its data key and IVs).
func TestLeakScanLeavesPublicMaterialAlone(t *testing.T) {
	a, b := sha256.Sum256([]byte("a")), sha256.Sum256([]byte("b"))
	pub := hex.EncodeToString(a[:]) + hex.EncodeToString(b[:])
	sum := sha256.Sum256([]byte("content"))
	digest := hex.EncodeToString(sum[:])
	cases := map[string]string{
		"address":            "address: 0x64a702e6263b7297a96638cac6ae65e6541f4169",
		"public key":         "publicKey: 0x" + pub,
		"enode":              "enode://" + pub + "@10.0.0.1:30303",
		"image digest":       "image: hyperledger/besu@sha256:" + digest,
		"network digest":     "Network-Digest: sha256:" + digest,
		"colon fingerprint":  "SHA256 Fingerprint=" + strings.ToUpper(spaced(sum[:], ":")),
		"fabric keystore":    "keyfile: /var/hyperledger/msp/keystore/" + digest + "_sk",
		"job name":           "name: fabric-join-" + digest[:10],
		"mixed-case path 43": "path: parties/Org1/fabric/msp/Org1MSP/cacerts/cax",
	}
	for name, text := range cases {
		if got := SecretMaterial([]byte(text + "\n")); got != "" {
			t.Errorf("%s: reported as %s:\n%s", name, got, text)
		}
	}
	// Certificates: enough of them that every length of the last base64 line occurs,
	// including the 44 characters of 32 bytes.
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(i + 1)), Subject: pkix.Name{CommonName: strings.Repeat("n", i%48+1)},
			NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &caKey.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		if got := SecretMaterial(cert); got != "" {
			t.Fatalf("a certificate reported as %s:\n%s", got, cert)
		}
	}
}

// Every file of this repository's own network (the committed example: clusters,
// parties with their SOPS-sealed keys, policies, cue) passes the scan.
func TestLeakScanPassesTheCommittedNetwork(t *testing.T) {
	root := filepath.Join("..", "..")
	n := 0
	for _, dir := range []string{"clusters", "parties", "policies", "cue", "examples", ".sops.yaml"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			n++
			if got := SecretMaterial(data); got != "" {
				t.Errorf("%s: reported as %s", p, got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 100 {
		t.Fatalf("scanned only %d files", n)
	}
}
