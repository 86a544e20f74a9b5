package identity

import "github.com/flux-ledger/flux-ledger/generator/model"

// Where a Fabric party's key material lives. `flux-ledger keys` writes it and the
// Fabric renderer mounts it; both read these names from here.
//
//	cue/msp/<party>.cue                          public: CA, TLS CA, admin certificates
//	cue/identities/<node>.cue                    public: the node's signing and TLS certificates
//	parties/<party>/secrets/<node>-nodekey.yaml  sealed: the node's signing and TLS keys
//	parties/<party>/secrets/msp-admin.yaml       sealed: the admin's signing and TLS keys
//	parties/<party>/secrets/msp-ca.yaml          sealed: the CA and TLS CA keys; never
//	                                             applied to a cluster (not in kustomization.yaml)
const (
	// Entries of a node's or the admin's Secret: PKCS#8 PEM keys.
	FabricSignKeyEntry = "sign.key"
	FabricTLSKeyEntry  = "tls.key"
	// Entries of the CA Secret.
	FabricCAKeyEntry    = "ca.key"
	FabricTLSCAKeyEntry = "tlsca.key"

	FabricAdminSecret = "msp-admin"
	FabricCASecret    = "msp-ca"
)

// FabricSecretPath is where a party's sealed Fabric Secret named name (FabricAdminSecret,
// FabricCASecret) lives, relative to the repository.
func FabricSecretPath(party, name string) string {
	return "parties/" + party + "/secrets/" + name + ".yaml"
}

// MSPPath is where a party's public MSP material lives, relative to the repository.
func MSPPath(party string) string { return "cue/msp/" + party + ".cue" }

// FabricTLSHosts are the names a Fabric node's TLS certificate must carry: where other
// parties dial it (its endpoint) and the names of its Service inside its cluster, which
// its own party's nodes and Jobs dial. Go's TLS checks SANs only.
func FabricTLSHosts(network *model.Network, node model.Node) []string {
	ns := network.Parties[node.Party].Namespace
	hosts := []string{node.Endpoint.Host, node.Name, node.Name + "." + ns, node.Name + "." + ns + ".svc", node.Name + "." + ns + ".svc.cluster.local"}
	out := hosts[:0]
	seen := map[string]bool{}
	for _, h := range hosts {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

// PartySecretPaths are the sealed files a party holds besides its nodes' keys: on
// Fabric its MSP admin's and CAs' keys, on Besu none.
func PartySecretPaths(network *model.Network, party string) []string {
	if !network.IsFabric() {
		return nil
	}
	return []string{FabricSecretPath(party, FabricAdminSecret), FabricSecretPath(party, FabricCASecret)}
}
