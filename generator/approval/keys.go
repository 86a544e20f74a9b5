package approval

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"golang.org/x/crypto/ssh"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Key is a parsed approval key.
type Key struct {
	Kind string // openpgp or ssh
	// Fingerprint names the key: SHA256:… for SSH (as ssh-keygen -l prints it), the
	// primary key's hex fingerprint for OpenPGP (as gpg --fingerprint prints it).
	Fingerprint string
	ssh         ssh.PublicKey
	pgp         openpgp.EntityList
}

// sshKeyTypes are the SSH key types an approval key may be: those ssh-keygen makes
// for signing without a hardware token.
var sshKeyTypes = map[string]bool{ssh.KeyAlgoED25519: true, ssh.KeyAlgoECDSA256: true, ssh.KeyAlgoRSA: true}

// ParseKey parses one approval key as the schema's #ApprovalKey holds it.
func ParseKey(k model.ApprovalKey) (*Key, error) {
	switch k.Kind {
	case "ssh":
		// An authorized_keys line without options: "<type> <base64 wire key> [comment]".
		fields := strings.Fields(k.Key)
		if len(fields) < 2 || strings.Contains(strings.TrimSpace(k.Key), "\n") {
			return nil, errors.New("not an SSH public key: want one line \"<type> <base64> [comment]\"")
		}
		blob, err := base64.StdEncoding.DecodeString(fields[1])
		if err != nil {
			return nil, fmt.Errorf("not an SSH public key (%w)", err)
		}
		pub, err := ssh.ParsePublicKey(blob)
		if err != nil {
			return nil, fmt.Errorf("not an SSH public key (%w)", err)
		}
		if pub.Type() != fields[0] {
			return nil, fmt.Errorf("the key is a %s key, its line says %s", pub.Type(), fields[0])
		}
		if !sshKeyTypes[pub.Type()] {
			return nil, fmt.Errorf("SSH key type %s: want ssh-ed25519, ecdsa-sha2-nistp256 or ssh-rsa", pub.Type())
		}
		return &Key{Kind: "ssh", Fingerprint: ssh.FingerprintSHA256(pub), ssh: pub}, nil
	case "openpgp":
		ring, err := openpgp.ReadArmoredKeyRing(strings.NewReader(k.Key))
		if err != nil {
			return nil, fmt.Errorf("not an armored OpenPGP public key (%w)", err)
		}
		if len(ring) != 1 {
			return nil, fmt.Errorf("%d OpenPGP keys in one entry: give one per entry", len(ring))
		}
		if ring[0].PrivateKey != nil {
			return nil, errors.New("an OpenPGP private key: give the public key only (gpg --armor --export)")
		}
		return &Key{Kind: "openpgp", Fingerprint: strings.ToUpper(fmt.Sprintf("%x", ring[0].PrimaryKey.Fingerprint)), pgp: ring}, nil
	}
	return nil, fmt.Errorf("kind %q: want openpgp or ssh", k.Kind)
}

// PartyKeys parses every approval key of a party; the first bad one is an error
// naming the party and the field.
func PartyKeys(p model.Party) ([]*Key, error) {
	var out []*Key
	for i, k := range p.ApprovalKeys {
		key, err := ParseKey(k)
		if err != nil {
			return nil, fmt.Errorf("parties.%s.approvalKeys[%d]: %w", p.Name, i, err)
		}
		out = append(out, key)
	}
	return out, nil
}

// errWrongKey says the signature names (SSH) or was made by (OpenPGP) a key that is
// not among those tried.
var errWrongKey = errors.New("not signed by any of these keys")

// verify checks f's signature over its statement with one of keys and returns it.
func verify(f *File, keys []*Key) (*Key, error) {
	last := errWrongKey
	for _, k := range keys {
		if k.Kind != f.Format {
			continue
		}
		var err error
		if k.Kind == "ssh" {
			err = verifySSH(f.Statement.Text(), f.Signature, k.ssh)
		} else {
			_, err = openpgp.CheckArmoredDetachedSignature(k.pgp, bytes.NewReader(f.Statement.Text()), bytes.NewReader(f.Signature), nil)
			if errors.Is(err, pgperrors.ErrUnknownIssuer) {
				err = errWrongKey
			}
		}
		if err == nil {
			return k, nil
		}
		if !errors.Is(err, errWrongKey) {
			last = err // a signature by this key that does not verify
		}
	}
	return nil, last
}
