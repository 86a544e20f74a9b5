// Package identity creates ledger node keys and their two halves: the public identity
// (address and enode public key) that lives in plain text in cue/identities/, and the
// node-key Secret manifest that only ever leaves memory sealed by package secrets.
package identity

import (
	"crypto/ecdsa"
	"encoding/hex"
	"fmt"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"github.com/ethereum/go-ethereum/crypto"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/manifest"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// NodeKeyEntry is the Secret key holding the node key, mounted as Besu's
// --node-private-key-file.
const NodeKeyEntry = "key"

// Generate creates a new secp256k1 node key.
func Generate() (*ecdsa.PrivateKey, error) {
	return crypto.GenerateKey()
}

// Public derives the public identity of a node key.
func Public(key *ecdsa.PrivateKey) model.Identity {
	pub := crypto.FromECDSAPub(&key.PublicKey) // 0x04 ‖ X ‖ Y
	return model.Identity{
		Address:   strings.ToLower(crypto.PubkeyToAddress(key.PublicKey).Hex()),
		PublicKey: "0x" + hex.EncodeToString(pub[1:]),
	}
}

// SecretName is the name of a node's key Secret.
func SecretName(node string) string { return node + "-nodekey" }

// SecretPath is where a node's sealed key Secret lives, relative to the repository.
func SecretPath(party, node string) string {
	return "parties/" + party + "/secrets/" + SecretName(node) + ".yaml"
}

// IdentityPath is where a node's public identity lives, relative to the repository.
func IdentityPath(node string) string { return "cue/identities/" + node + ".cue" }

// Secret renders the plaintext node-key Secret: the key as Besu reads its key file,
// 0x-prefixed hex. The result must be sealed before it goes anywhere.
func Secret(network *model.Network, node model.Node, key *ecdsa.PrivateKey) ([]byte, error) {
	party := network.Parties[node.Party]
	secret := corev1.Secret{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      SecretName(node.Name),
			Namespace: party.Namespace,
			Labels:    model.Labels(network, node.Party, node.Name),
		},
		Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{NodeKeyEntry: []byte("0x" + hex.EncodeToString(crypto.FromECDSA(key)))},
	}
	return manifest.Encode(secret)
}

// KeyFromSecret reads the node key back out of a decrypted node-key Secret.
func KeyFromSecret(plain []byte) (*ecdsa.PrivateKey, error) {
	var secret corev1.Secret
	if err := yaml.Unmarshal(plain, &secret); err != nil {
		return nil, fmt.Errorf("not a Secret manifest: %w", err)
	}
	raw, ok := secret.Data[NodeKeyEntry]
	if !ok {
		return nil, fmt.Errorf("Secret %s has no %q entry", secret.Name, NodeKeyEntry)
	}
	key, err := ParseNodeKey(raw)
	if err != nil {
		return nil, fmt.Errorf("Secret %s: %w", secret.Name, err)
	}
	return key, nil
}

// ParseNodeKey reads a node key file as Besu reads it: 0x-prefixed hex.
func ParseNodeKey(data []byte) (*ecdsa.PrivateKey, error) {
	key, err := crypto.HexToECDSA(strings.TrimPrefix(strings.TrimSpace(string(data)), "0x"))
	if err != nil {
		return nil, fmt.Errorf("invalid node key: %w", err)
	}
	return key, nil
}

// CUE renders a node's public identity as a file of the cue/identities package.
func CUE(node model.Node, id model.Identity) ([]byte, error) {
	field := &ast.Field{
		Label: ast.NewString(node.Name),
		Value: ast.NewStruct(
			ast.NewIdent("address"), ast.NewString(id.Address),
			ast.NewIdent("publicKey"), ast.NewString(id.PublicKey),
		),
	}
	pkg := &ast.Package{Name: ast.NewIdent("identities")}
	ast.AddComment(pkg, &ast.CommentGroup{Doc: true, List: []*ast.Comment{
		{Text: "// Public identity of node " + node.Name + ", written by `flux-ledger keys`."},
		{Text: "// Its private half, sealed to party " + node.Party + ", is " + SecretPath(node.Party, node.Name) + "."},
	}})
	return format.Node(&ast.File{Decls: []ast.Decl{pkg, field}})
}
