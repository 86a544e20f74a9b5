// Package secrets seals Kubernetes Secret manifests with SOPS to one party's age
// recipients and opens them again with that party's age identity. Encryption runs
// in-process (getsops/sops/v3), so plaintext never reaches the disk. Only data and
// stringData are encrypted; apiVersion, kind and metadata stay readable, which is what
// kustomize-controller expects when it decrypts.
package secrets

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/getsops/sops/v3"
	"github.com/getsops/sops/v3/aes"
	sopsage "github.com/getsops/sops/v3/age"
	"github.com/getsops/sops/v3/cmd/sops/common"
	"github.com/getsops/sops/v3/config"
	"github.com/getsops/sops/v3/keyservice"
	sopsyaml "github.com/getsops/sops/v3/stores/yaml"
	"github.com/getsops/sops/v3/version"
)

// EncryptedRegex selects the Secret fields SOPS encrypts.
const EncryptedRegex = "^(data|stringData)$"

func store() *sopsyaml.Store {
	return sopsyaml.NewStore(&config.YAMLStoreConfig{})
}

// Seal encrypts a plaintext Secret manifest to the given age recipients.
func Seal(plain []byte, recipients []string) ([]byte, error) {
	masterKeys, err := masterKeys(recipients)
	if err != nil {
		return nil, err
	}
	branches, err := store().LoadPlainFile(plain)
	if err != nil {
		return nil, fmt.Errorf("parse manifest: %w", err)
	}
	tree := sops.Tree{
		Branches: branches,
		Metadata: sops.Metadata{
			KeyGroups:      []sops.KeyGroup{masterKeys},
			EncryptedRegex: EncryptedRegex,
			Version:        version.Version,
		},
	}
	dataKey, errs := tree.GenerateDataKeyWithKeyServices([]keyservice.KeyServiceClient{keyservice.NewLocalClient()})
	if len(errs) > 0 {
		return nil, fmt.Errorf("encrypt data key: %w", errors.Join(errs...))
	}
	if err := common.EncryptTree(common.EncryptTreeOpts{Tree: &tree, Cipher: aes.NewCipher(), DataKey: dataKey}); err != nil {
		return nil, err
	}
	return store().EmitEncryptedFile(tree)
}

// Identities parses age identities (the content of an age key file).
func Identities(r io.Reader) ([]age.Identity, error) {
	ids, err := age.ParseIdentities(r)
	if err != nil {
		return nil, fmt.Errorf("parse age identities: %w", err)
	}
	return ids, nil
}

// Open decrypts a sealed manifest with the given identities and verifies its MAC, so a
// tampered file fails instead of yielding altered plaintext.
func Open(sealed []byte, identities []age.Identity) ([]byte, error) {
	tree, err := store().LoadEncryptedFile(sealed)
	if err != nil {
		return nil, fmt.Errorf("not a SOPS-encrypted file: %w", err)
	}
	dataKey, err := dataKey(tree, identities)
	if err != nil {
		return nil, err
	}
	cipher := aes.NewCipher()
	mac, err := tree.Decrypt(dataKey, cipher)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	stored, err := cipher.Decrypt(tree.Metadata.MessageAuthenticationCode, dataKey, tree.Metadata.LastModified.Format(time.RFC3339))
	if err != nil || stored != mac {
		return nil, errors.New("MAC mismatch: the file was modified after it was encrypted")
	}
	return store().EmitPlainFile(tree.Branches)
}

// Rewrap re-encrypts a sealed file's data key to a new recipient list, leaving the
// encrypted values and MAC untouched (what `sops updatekeys` does). It needs one of the
// current recipients' identities.
func Rewrap(sealed []byte, identities []age.Identity, recipients []string) ([]byte, error) {
	tree, err := store().LoadEncryptedFile(sealed)
	if err != nil {
		return nil, fmt.Errorf("not a SOPS-encrypted file: %w", err)
	}
	key, err := dataKey(tree, identities)
	if err != nil {
		return nil, err
	}
	masterKeys, err := masterKeys(recipients)
	if err != nil {
		return nil, err
	}
	tree.Metadata.KeyGroups = []sops.KeyGroup{masterKeys}
	if errs := tree.Metadata.UpdateMasterKeys(key); len(errs) > 0 {
		return nil, fmt.Errorf("encrypt data key: %w", errors.Join(errs...))
	}
	return store().EmitEncryptedFile(tree)
}

// Recipients lists the age recipients a sealed file is encrypted to, sorted. It needs no
// key: the recipients are plain metadata.
func Recipients(sealed []byte) ([]string, error) {
	tree, err := store().LoadEncryptedFile(sealed)
	if err != nil {
		return nil, fmt.Errorf("not a SOPS-encrypted file: %w", err)
	}
	var out []string
	for _, group := range tree.Metadata.KeyGroups {
		for _, k := range group {
			ak, ok := k.(*sopsage.MasterKey)
			if !ok {
				return nil, fmt.Errorf("encrypted to a %s key; flux-ledger expects age only", k.TypeToIdentifier())
			}
			out = append(out, ak.Recipient)
		}
	}
	slices.Sort(out)
	return out, nil
}

// SameRecipients reports whether two recipient lists hold the same keys, in any order.
func SameRecipients(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func masterKeys(recipients []string) (sops.KeyGroup, error) {
	if len(recipients) == 0 {
		return nil, errors.New("no age recipients")
	}
	var group sops.KeyGroup
	for _, r := range recipients {
		mk, err := sopsage.MasterKeyFromRecipient(r)
		if err != nil {
			return nil, fmt.Errorf("age recipient %q: %w", r, err)
		}
		group = append(group, mk)
	}
	return group, nil
}

// dataKey recovers the file's data key with the given identities, trying each age
// master key of the file in turn.
func dataKey(tree sops.Tree, identities []age.Identity) ([]byte, error) {
	if len(identities) == 0 {
		return nil, errors.New("no age identity to decrypt with")
	}
	parsed := sopsage.ParsedIdentities(identities)
	var recipients []string
	for _, group := range tree.Metadata.KeyGroups {
		for _, k := range group {
			ak, ok := k.(*sopsage.MasterKey)
			if !ok {
				continue
			}
			recipients = append(recipients, ak.Recipient)
			parsed.ApplyToMasterKey(ak)
			if key, err := ak.Decrypt(); err == nil {
				return key, nil
			}
		}
	}
	return nil, fmt.Errorf("none of the given age identities can decrypt this file (encrypted to %s)", strings.Join(recipients, ", "))
}
