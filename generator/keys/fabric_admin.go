package keys

import (
	"crypto/ecdsa"
	"errors"
	"fmt"

	"filippo.io/age"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// AdminKey opens party's own sealed MSP admin Secret (parties/<party>/secrets/msp-admin.yaml)
// with ids, in memory, and returns the admin's signing key once it is checked to be
// the key of the admin certificate the model holds (cue/msp/<party>.cue): a key that
// is not would sign as nobody Fabric knows. Only the signing entry is read; nothing is
// written anywhere. The party's age identity opens only its own files, so the caller
// never holds another party's admin key.
func AdminKey(repo string, network *model.Network, party string, ids []age.Identity) (*ecdsa.PrivateKey, error) {
	path := identity.FabricSecretPath(party, identity.FabricAdminSecret)
	org, ok := network.MSP[party]
	if !ok || org.Admin == "" {
		return nil, fmt.Errorf("party %s has no admin certificate (%s); create it with flux-ledger keys init --party %s", party, identity.MSPPath(party), party)
	}
	if len(ids) == 0 {
		return nil, errors.New(path + ": reading it needs party " + party + "'s age key: pass --identity FILE (or set SOPS_AGE_KEY_FILE)")
	}
	data, err := openSealed(repo, path, ids, identity.FabricSignKeyEntry)
	if err != nil {
		return nil, err
	}
	keyPEM := data[identity.FabricSignKeyEntry]
	defer clear(keyPEM)
	key, err := msp.ParseKeyPEM(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", path, identity.FabricSignKeyEntry, err)
	}
	cert, err := msp.ParseCertPEM([]byte(org.Admin))
	if err != nil {
		return nil, fmt.Errorf("%s: admin: %w", identity.MSPPath(party), err)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("%s: %s is not the key of party %s's admin certificate (%s)", path, identity.FabricSignKeyEntry, party, identity.MSPPath(party))
	}
	return key, nil
}
