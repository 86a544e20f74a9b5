package approval

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"golang.org/x/crypto/ssh"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Verdict is what one approval file proves.
type Verdict struct {
	File  string `json:"file"`
	Party string `json:"party,omitempty"`
	// Key is the fingerprint of the party's key that signed it, when it is valid.
	Key string `json:"key,omitempty"`
	// Problem says why the file proves nothing (forged, stale, replayed, unreadable).
	Problem string `json:"problem,omitempty"`
}

// Valid reports whether the file is a valid approval of the change.
func (v Verdict) Valid() bool { return v.Problem == "" && v.Key != "" }

// Check judges the approval file at file (its content data) as an approval of the
// change want (network name, base and result trees; want.Party is ignored), with the
// approval keys of the network at the change's base: a pull request cannot bring the
// key that approves it.
func Check(file string, data []byte, want Statement, base *model.Network) Verdict {
	v := Verdict{File: file}
	f, err := Parse(data)
	if err != nil {
		v.Problem = "not an approval file: " + err.Error()
		return v
	}
	s := f.Statement
	v.Party = s.Party
	party, ok := base.Parties[s.Party]
	switch {
	case !ok:
		v.Problem = fmt.Sprintf("party %s is not in the network at base", s.Party)
		return v
	case len(party.ApprovalKeys) == 0:
		v.Problem = fmt.Sprintf("party %s has no approval keys at base: nothing can verify its approval", s.Party)
		return v
	}
	keys, err := PartyKeys(party)
	if err != nil {
		v.Problem = err.Error()
		return v
	}
	key, err := verify(f, keys)
	if err != nil {
		v.Problem = "forged: " + forgery(f, base, err)
		return v
	}
	switch {
	case s.Network != want.Network:
		v.Problem = fmt.Sprintf("replayed: approves a change of network %s, not %s", s.Network, want.Network)
	case s.BaseTree != want.BaseTree:
		v.Problem = fmt.Sprintf("replayed (or the base moved): approves a change from base tree %s, this change's is %s: %s must approve this change", s.BaseTree[:12], want.BaseTree[:12], s.Party)
	case s.ResultTree != want.ResultTree:
		v.Problem = fmt.Sprintf("stale: approves result tree %s, this change's is %s: %s must approve again", s.ResultTree[:12], want.ResultTree[:12], s.Party)
	case !strings.HasPrefix(path.Base(file), s.Party+"-") || path.Ext(file) != Ext:
		v.Problem = fmt.Sprintf("approval of party %s is named %s: want %s", s.Party, file, s.FileName())
	default:
		v.Key = key.Fingerprint
	}
	return v
}

// forgery says why f's signature is not a valid one by its party: signed by another
// party's key, by an unknown key, or a bad signature by the party's key.
func forgery(f *File, base *model.Network, err error) string {
	party := f.Statement.Party
	if !errors.Is(err, errWrongKey) {
		return fmt.Sprintf("bad signature by an approval key of %s (%v)", party, err)
	}
	for _, other := range base.PartyNames() {
		if other == party {
			continue
		}
		keys, kerr := PartyKeys(base.Parties[other])
		if kerr != nil {
			continue
		}
		if k, verr := verify(f, keys); verr == nil {
			return fmt.Sprintf("signed by %s's key %s, not by a key of %s", other, k.Fingerprint, party)
		}
	}
	return fmt.Sprintf("signed by %s, not an approval key of %s", signerName(f), party)
}

// signerName names the key a signature claims, for a refusal line.
func signerName(f *File) string {
	if f.Format == "ssh" {
		if pub, err := sshSigner(f.Signature); err == nil {
			return "key " + ssh.FingerprintSHA256(pub)
		}
		return "an unreadable SSH signature"
	}
	if ids := pgpIssuers(f.Signature); ids != "" {
		return "key " + ids
	}
	return "an unknown OpenPGP key"
}

// pgpIssuers is the issuer an OpenPGP signature names (its fingerprint, else its
// key ID), in hex; "" when it cannot be read.
func pgpIssuers(armored []byte) string {
	block, err := armor.Decode(bytes.NewReader(armored))
	if err != nil {
		return ""
	}
	p, err := packet.Read(block.Body)
	if err != nil {
		return ""
	}
	sig, ok := p.(*packet.Signature)
	switch {
	case !ok:
		return ""
	case len(sig.IssuerFingerprint) > 0:
		return strings.ToUpper(hex.EncodeToString(sig.IssuerFingerprint))
	case sig.IssuerKeyId != nil:
		return fmt.Sprintf("%016X", *sig.IssuerKeyId)
	}
	return ""
}
