package keys

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"filippo.io/age"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/layout"
)

// verifyFabric is Verify on a Fabric network: every sealed key of the party (CAs,
// admin, nodes) is the key of its public certificate, each file is sealed to exactly
// the party's recipients, and each peer's Secret holds its CouchDB password.
func verifyFabric(repo string, network *model.Network, party model.Party, ids []age.Identity) error {
	var problems []string
	check := func(path string, err error) {
		if err != nil {
			problems = append(problems, path+": "+err.Error())
		}
	}
	org, has := network.MSP[party.Name]
	if !has {
		return fmt.Errorf("party %s has no public MSP material in %s", party.Name, identity.MSPPath(party.Name))
	}
	caPath := identity.FabricSecretPath(party.Name, identity.FabricCASecret)
	check(caPath, verifySealed(repo, caPath, party, ids, nil, map[string]string{
		identity.FabricCAKeyEntry: org.CACert, identity.FabricTLSCAKeyEntry: org.TLSCACert,
	}))
	adminPath := identity.FabricSecretPath(party.Name, identity.FabricAdminSecret)
	check(adminPath, verifySealed(repo, adminPath, party, ids, nil, map[string]string{
		identity.FabricSignKeyEntry: org.Admin, identity.FabricTLSKeyEntry: org.AdminTLS,
	}))
	for _, node := range network.NodesByParty()[party.Name] {
		path := identity.SecretPath(party.Name, node.Name)
		public, ok := network.Identities[node.Name]
		if !ok {
			check(path, fmt.Errorf("node %s has no public certificates in %s", node.Name, identity.IdentityPath(node.Name)))
			continue
		}
		var also []string
		if node.Role == model.RolePeer {
			also = []string{layout.CouchDBPasswordEntry}
		}
		check(path, verifySealed(repo, path, party, ids, also, map[string]string{
			identity.FabricSignKeyEntry: public.SignCert, identity.FabricTLSKeyEntry: public.TLSCert,
		}))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// verifySealed opens one sealed Secret and checks that each key entry is the key of
// its certificate (entry → PEM certificate) and that the other entries are present.
func verifySealed(repo, path string, party model.Party, ids []age.Identity, also []string, certs map[string]string) error {
	plain, err := openOwnSealed(repo, path, party, ids)
	if err != nil {
		return err
	}
	want := append([]string{}, also...)
	for entry := range certs {
		want = append(want, entry)
	}
	data, err := identity.FabricSecretData(plain, want...)
	if err != nil {
		return err
	}
	for _, entry := range slices.Sorted(maps.Keys(certs)) {
		key, err := msp.ParseKeyPEM(data[entry])
		if err != nil {
			return fmt.Errorf("%s: %w", entry, err)
		}
		cert, err := msp.ParseCertPEM([]byte(certs[entry]))
		if err != nil {
			return fmt.Errorf("%s: public certificate: %w", entry, err)
		}
		if !key.PublicKey.Equal(cert.PublicKey) {
			return fmt.Errorf("%s is not the key of certificate %s", entry, cert.Subject.CommonName)
		}
	}
	return nil
}
