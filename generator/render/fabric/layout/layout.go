// Package layout names the Kubernetes objects and files of a Fabric party's directory
// that more than one renderer refers to: the node workloads (package fabric) and the
// channel and chaincode Jobs (package lifecycle) mount and dial each other by these.
package layout

// The Service of a node is named after the node, in its party's namespace; other
// parties dial its endpoint.

// ChannelConfigMap holds a channel's genesis block, gzip-compressed (binaryData
// GenesisBlockKey): the same bytes in every party's directory.
func ChannelConfigMap(channel string) string { return "channel-" + channel }

// GenesisBlockKey is the channel ConfigMap's entry. Compressed because a ConfigMap
// holds at most 1 MiB and a block lists every member's certificates several times
// over (each organisation's CA in its MSP and again in the consenters' and the
// Orderer and Application groups): at 300 organisations the block is 3.2 MB and
// its gzip 0.37 MB.
const GenesisBlockKey = "genesis.block.gz"

// TLSRootsConfigMap holds every party's TLS CA certificate (data "<mspid>.pem"): what
// a Job's peer or osnadmin command verifies an orderer or peer of any party with.
const TLSRootsConfigMap = "fabric-tls-roots"

// OrgConfigMap holds the party's own public MSP files: its CA certificate (CACertKey),
// TLS CA certificate (TLSCACertKey), NodeOUs config.yaml (MSPConfigKey), and its
// admin's signing (AdminCertKey) and TLS client (AdminTLSCertKey) certificates.
const (
	OrgConfigMap    = "fabric-org"
	CACertKey       = "ca.pem"
	TLSCACertKey    = "tlsca.pem"
	MSPConfigKey    = "config.yaml"
	AdminCertKey    = "admin.pem"
	AdminTLSCertKey = "admin-tls.pem"
)

// NodeCertsConfigMap holds a node's public certificates: signing (SignCertKey) and
// TLS (TLSCertKey). The keys are in the node's sealed Secret (identity.SecretName).
func NodeCertsConfigMap(node string) string { return node + "-certs" }

const (
	SignCertKey = "sign.pem"
	TLSCertKey  = "tls.pem"
)

// CouchDBPasswordEntry is the entry of a peer's sealed node Secret holding the
// password its CouchDB sidecar is created with and the peer logs in with.
const CouchDBPasswordEntry = "couchdb-password"
