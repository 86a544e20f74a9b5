package identity

import (
	"fmt"
	"maps"
	"slices"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/manifest"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// FabricCUE renders a Fabric node's public certificates as a file of the
// cue/identities package: "<node>": {signCert, tlsCert}.
func FabricCUE(node model.Node, id model.Identity) ([]byte, error) {
	field := &ast.Field{
		Label: ast.NewString(node.Name),
		Value: ast.NewStruct(
			ast.NewIdent("signCert"), ast.NewString(id.SignCert),
			ast.NewIdent("tlsCert"), ast.NewString(id.TLSCert),
		),
	}
	return cueFile("identities", field,
		"// Public certificates of Fabric node "+node.Name+", written by `flux-ledger keys`.",
		"// Their private keys, sealed to party "+node.Party+", are in "+SecretPath(node.Party, node.Name)+".")
}

// MSPCUE renders a party's public MSP material as a file of the cue/msp package:
// "<party>": {caCert, tlsCACert, admin, adminTLS}.
func MSPCUE(party string, org model.OrgIdentity) ([]byte, error) {
	field := &ast.Field{
		Label: ast.NewString(party),
		Value: ast.NewStruct(
			ast.NewIdent("caCert"), ast.NewString(org.CACert),
			ast.NewIdent("tlsCACert"), ast.NewString(org.TLSCACert),
			ast.NewIdent("admin"), ast.NewString(org.Admin),
			ast.NewIdent("adminTLS"), ast.NewString(org.AdminTLS),
		),
	}
	return cueFile("msp", field,
		"// Public MSP material of party "+party+", written by `flux-ledger keys`.",
		"// The admin's keys are sealed in "+FabricSecretPath(party, FabricAdminSecret)+",",
		"// the CA keys in "+FabricSecretPath(party, FabricCASecret)+"; both only the party can read.")
}

func cueFile(pkgName string, field *ast.Field, doc ...string) ([]byte, error) {
	pkg := &ast.Package{Name: ast.NewIdent(pkgName)}
	comments := &ast.CommentGroup{Doc: true}
	for _, line := range doc {
		comments.List = append(comments.List, &ast.Comment{Text: line})
	}
	ast.AddComment(pkg, comments)
	return format.Node(&ast.File{Decls: []ast.Decl{pkg, field}})
}

// FabricSecret renders a plaintext Fabric Secret of a party: a node's keys (name
// SecretName(node), node set), the admin's (FabricAdminSecret) or the CAs'
// (FabricCASecret). The result must be sealed before it goes anywhere.
func FabricSecret(network *model.Network, party, name, node string, data map[string][]byte) ([]byte, error) {
	secret := corev1.Secret{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      name,
			Namespace: network.Parties[party].Namespace,
			Labels:    model.Labels(network, party, node),
		},
		Type: corev1.SecretTypeOpaque,
		Data: data,
	}
	return manifest.Encode(secret)
}

// FabricSecretData reads the entries of a decrypted Fabric Secret, checking that every
// one of want is present and not empty.
func FabricSecretData(plain []byte, want ...string) (map[string][]byte, error) {
	var secret corev1.Secret
	if err := yaml.Unmarshal(plain, &secret); err != nil {
		return nil, fmt.Errorf("not a Secret manifest: %w", err)
	}
	for _, entry := range want {
		if len(secret.Data[entry]) == 0 {
			return nil, fmt.Errorf("Secret %s has no %q entry (it has %v)", secret.Name, entry, slices.Sorted(maps.Keys(secret.Data)))
		}
	}
	return secret.Data, nil
}
