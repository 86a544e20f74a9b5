package approval

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// SSH signatures, as `ssh-keygen -Y sign` writes them. The format is OpenSSH's
// PROTOCOL.sshsig (openssh-portable, "$OpenBSD: PROTOCOL.sshsig,v 1.4 2020/08/31"):
// §1 the armor, §2 the blob, §3 the data the key signs. Every field is an SSH wire
// string (RFC 4251 §5), decoded with x/crypto/ssh's Unmarshal; the signature itself is
// checked by x/crypto/ssh's PublicKey.Verify.

const sshEnd = "-----END SSH SIGNATURE-----"

// sshPreamble is MAGIC_PREAMBLE: it starts both the blob and the signed data.
const sshPreamble = "SSHSIG"

// sshsigBlob is PROTOCOL.sshsig §2 after MAGIC_PREAMBLE.
type sshsigBlob struct {
	Version       uint32 // SIG_VERSION, 1
	PublicKey     []byte
	Namespace     string
	Reserved      string
	HashAlgorithm string
	Signature     []byte
}

// sshsigSigned is PROTOCOL.sshsig §3 after MAGIC_PREAMBLE.
type sshsigSigned struct {
	Namespace     string
	Reserved      string
	HashAlgorithm string
	Hash          []byte
}

// errSSHOtherKey: the blob names another public key than the one tried.
var errSSHOtherKey = fmt.Errorf("%w (ssh)", errWrongKey)

// parseSSHSig decodes an armored SSH signature into its blob.
func parseSSHSig(armored []byte) (*sshsigBlob, error) {
	text := strings.TrimRight(string(armored), "\n")
	body, ok := strings.CutPrefix(text, sshArmor+"\n")
	if !ok {
		return nil, errors.New("SSH signature: missing armor header")
	}
	if body, ok = strings.CutSuffix(body, "\n"+sshEnd); !ok {
		return nil, errors.New("SSH signature: missing armor footer")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(body, "\n", ""))
	if err != nil {
		return nil, fmt.Errorf("SSH signature: %w", err)
	}
	rest, ok := bytes.CutPrefix(raw, []byte(sshPreamble))
	if !ok {
		return nil, errors.New("SSH signature: no SSHSIG preamble")
	}
	var blob sshsigBlob
	if err := ssh.Unmarshal(rest, &blob); err != nil {
		return nil, fmt.Errorf("SSH signature: %w", err)
	}
	// "Verifiers MUST reject signatures with versions greater than those they support."
	if blob.Version != 1 {
		return nil, fmt.Errorf("SSH signature version %d: want 1", blob.Version)
	}
	return &blob, nil
}

// sshSigner is the public key an SSH signature names (not yet verified).
func sshSigner(armored []byte) (ssh.PublicKey, error) {
	blob, err := parseSSHSig(armored)
	if err != nil {
		return nil, err
	}
	return ssh.ParsePublicKey(blob.PublicKey)
}

// verifySSH checks an armored SSH signature of message by key, in Namespace.
func verifySSH(message, armored []byte, key ssh.PublicKey) error {
	blob, err := parseSSHSig(armored)
	if err != nil {
		return err
	}
	if !bytes.Equal(blob.PublicKey, key.Marshal()) {
		return errSSHOtherKey
	}
	if blob.Namespace != Namespace {
		return fmt.Errorf("SSH signature namespace %q: want %q", blob.Namespace, Namespace)
	}
	var hash []byte
	switch blob.HashAlgorithm { // "The supported hash algorithms are "sha256" and "sha512"."
	case "sha256":
		sum := sha256.Sum256(message)
		hash = sum[:]
	case "sha512":
		sum := sha512.Sum512(message)
		hash = sum[:]
	default:
		return fmt.Errorf("SSH signature hash %q: want sha256 or sha512", blob.HashAlgorithm)
	}
	var sig ssh.Signature
	if err := ssh.Unmarshal(blob.Signature, &sig); err != nil {
		return fmt.Errorf("SSH signature: %w", err)
	}
	// "For RSA signatures, the signature algorithm must be "rsa-sha2-512" or
	// "rsa-sha2-256" (i.e. not the legacy RSA-SHA1 "ssh-rsa")."
	if sig.Format == ssh.KeyAlgoRSA {
		return errors.New("SSH signature uses RSA-SHA1 (ssh-rsa): want rsa-sha2-512 or rsa-sha2-256")
	}
	signed := append([]byte(sshPreamble), ssh.Marshal(sshsigSigned{
		Namespace: blob.Namespace, Reserved: blob.Reserved, HashAlgorithm: blob.HashAlgorithm, Hash: hash,
	})...)
	if err := key.Verify(signed, &sig); err != nil {
		return fmt.Errorf("bad SSH signature (%w)", err)
	}
	return nil
}
