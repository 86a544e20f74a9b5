// Package approval is a party's signed approval of exactly one change of the network
// repository: a statement naming the network, the party, the tree the change starts
// from (base) and the tree it produces (result), signed with one of the party's
// approval keys (OpenPGP or SSH, the two kinds Git signs commits with).
//
// An approval is stored as a file in the pull request itself,
// approvals/<party>-<digest>.approval: every Git host carries the files of a pull
// request, reviewers see the approval beside the change, and `flux-ledger audit` reads
// it back from history without any host API. So that adding approvals does not change
// what they approve, both trees are taken without the approvals/ directory. A squash
// or a rebase that produces the same trees stays approved; anything else does not.
//
// The file is the statement followed by its detached signature:
//
//	flux-ledger-approval/v1
//	network: tradenet
//	party: fabrikam
//	base-tree: 5b1c…(40 hex)
//	result-tree: 9e0a…(40 hex)
//	-----BEGIN SSH SIGNATURE-----   (or -----BEGIN PGP SIGNATURE-----)
//	…
//
// The signature covers the statement's bytes exactly (every line up to the armor).
// flux-ledger signs by running the program Git itself signs with (gpg or ssh-keygen,
// see Sign) and verifies in Go; it never reads or writes a private key.
package approval

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"strings"
)

const (
	// Version is the first line of every approval statement.
	Version = "flux-ledger-approval/v1"
	// Dir holds the approval files of a change; it is left out of the trees approved.
	Dir = "approvals"
	// Ext ends every approval file's name.
	Ext = ".approval"
	// Namespace is the SSH signature namespace of an approval (ssh-keygen -Y sign -n):
	// ssh-keygen(1) recommends NAMESPACE@YOUR.DOMAIN for custom uses, so that an
	// approval can never be taken for a signed commit (namespace "git") or file.
	Namespace = "approval@flux-ledger.dev"
	// MaxFileSize bounds an approval file read from a repository.
	MaxFileSize = 64 << 10
)

// Statement is what a party signs.
type Statement struct {
	Network    string
	Party      string
	BaseTree   string // hash of the base tree without approvals/
	ResultTree string // hash of the result tree without approvals/
}

// Text is the statement's canonical bytes, the data signed.
func (s Statement) Text() []byte {
	return []byte(fmt.Sprintf("%s\nnetwork: %s\nparty: %s\nbase-tree: %s\nresult-tree: %s\n", Version, s.Network, s.Party, s.BaseTree, s.ResultTree))
}

// FileName is where the approval is stored: approvals/<party>-<first 12 hex of the
// statement's SHA-256>.approval, distinct per party and change.
func (s Statement) FileName() string {
	sum := sha256.Sum256(s.Text())
	return path.Join(Dir, s.Party+"-"+hex.EncodeToString(sum[:])[:12]+Ext)
}

// File is a parsed approval file.
type File struct {
	Statement Statement
	// Format is "openpgp" or "ssh", from the signature's armor.
	Format    string
	Signature []byte
}

// Encode is the file's content.
func (f *File) Encode() []byte {
	sig := bytes.TrimRight(f.Signature, "\n")
	return append(append(f.Statement.Text(), sig...), '\n')
}

var (
	treeHash  = regexp.MustCompile(`^[0-9a-f]{40}$`)
	plainName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
)

// Armor headers of the two signature kinds (RFC 4880 §6.2; PROTOCOL.sshsig §1).
const (
	pgpArmor = "-----BEGIN PGP SIGNATURE-----"
	sshArmor = "-----BEGIN SSH SIGNATURE-----"
)

// Parse reads an approval file. The statement must be in its canonical form, byte
// for byte: what is displayed is what was signed.
func Parse(data []byte) (*File, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxFileSize)
	}
	text := string(data)
	at := strings.Index(text, "\n-----BEGIN ")
	if at < 0 {
		return nil, fmt.Errorf("no signature (want a statement followed by %q or %q)", pgpArmor, sshArmor)
	}
	head, sig := text[:at+1], text[at+1:]
	lines := strings.Split(strings.TrimSuffix(head, "\n"), "\n")
	if len(lines) != 5 || lines[0] != Version {
		return nil, fmt.Errorf("not a %s statement", Version)
	}
	var s Statement
	for i, field := range []struct {
		key string
		to  *string
	}{{"network", &s.Network}, {"party", &s.Party}, {"base-tree", &s.BaseTree}, {"result-tree", &s.ResultTree}} {
		v, ok := strings.CutPrefix(lines[i+1], field.key+": ")
		if !ok {
			return nil, fmt.Errorf("line %d: want %q", i+2, field.key+": …")
		}
		*field.to = v
	}
	if !plainName.MatchString(s.Network) || !plainName.MatchString(s.Party) {
		return nil, fmt.Errorf("network or party is not a plain name")
	}
	if !treeHash.MatchString(s.BaseTree) || !treeHash.MatchString(s.ResultTree) {
		return nil, fmt.Errorf("base-tree and result-tree must be 40 lowercase hex digits")
	}
	if !bytes.Equal(s.Text(), []byte(head)) {
		return nil, fmt.Errorf("statement is not in canonical form")
	}
	f := &File{Statement: s, Signature: []byte(sig)}
	switch {
	case strings.HasPrefix(sig, pgpArmor+"\n"):
		f.Format = "openpgp"
	case strings.HasPrefix(sig, sshArmor+"\n"):
		f.Format = "ssh"
	default:
		first, _, _ := strings.Cut(sig, "\n")
		return nil, fmt.Errorf("signature armor %q is neither OpenPGP nor SSH", first)
	}
	return f, nil
}
