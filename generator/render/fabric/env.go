package fabric

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/layout"
	"github.com/flux-ledger/flux-ledger/generator/render/workload"
)

// Fabric reads its YAML configuration (orderer.yaml, core.yaml in the image's
// FABRIC_CFG_PATH) and lets an environment variable override any key: the prefix
// ORDERER_ or CORE_, then the key's path upper-cased with '.' as '_'
// (common/viperutil/config_util.go getFromEnv; cmd/peer/main.go SetEnvPrefix). Lists
// are written "[a, b]" (customDecodeHook). What flux-ledger relies on is set here even
// where it equals the image's default, so another image cannot move the ledger off
// its volume.

func env(name, value string) corev1.EnvVar { return corev1.EnvVar{Name: name, Value: value} }

func list(items ...string) string {
	out := "["
	for i, s := range items {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out + "]"
}

func listenAll(port int) string { return "0.0.0.0:" + strconv.Itoa(port) }

func endpoint(node model.Node) string {
	return fmt.Sprintf("%s:%d", node.Endpoint.Host, node.Endpoint.Port)
}

// OrdererEnv configures an orderer without a system channel: it starts with no
// channel (BootstrapMethod none) and joins each through the channel participation API
// on its admin listener, which only a client certificate from the party's own TLS CA
// may call. The cluster (consenter) service shares the general listener, and dials
// with the node's TLS certificate, trusting the TLS roots of the channels' orderer
// orgs (orderer/common/server/main.go reuseListener, updateClusterDialer).
func OrdererEnv(network *model.Network, party model.Party, node model.Node) []corev1.EnvVar {
	return []corev1.EnvVar{
		env("ORDERER_GENERAL_LISTENADDRESS", "0.0.0.0"),
		env("ORDERER_GENERAL_LISTENPORT", strconv.Itoa(node.Ports.P2P)),
		env("ORDERER_GENERAL_LOCALMSPID", party.MSPID),
		env("ORDERER_GENERAL_LOCALMSPDIR", MSPDir),
		env("ORDERER_GENERAL_TLS_ENABLED", "true"),
		env("ORDERER_GENERAL_TLS_CERTIFICATE", TLSCertFile),
		env("ORDERER_GENERAL_TLS_PRIVATEKEY", TLSKeyFile),
		env("ORDERER_GENERAL_TLS_ROOTCAS", list(TLSCAFile)),
		env("ORDERER_GENERAL_BOOTSTRAPMETHOD", "none"),
		env("ORDERER_FILELEDGER_LOCATION", DataPath+"/orderer"),
		env("ORDERER_CONSENSUS_WALDIR", DataPath+"/orderer/etcdraft/wal"),
		env("ORDERER_CONSENSUS_SNAPDIR", DataPath+"/orderer/etcdraft/snapshot"),
		env("ORDERER_CHANNELPARTICIPATION_ENABLED", "true"),
		env("ORDERER_ADMIN_LISTENADDRESS", listenAll(node.Ports.RPC)),
		env("ORDERER_ADMIN_TLS_ENABLED", "true"),
		env("ORDERER_ADMIN_TLS_CERTIFICATE", TLSCertFile),
		env("ORDERER_ADMIN_TLS_PRIVATEKEY", TLSKeyFile),
		env("ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED", "true"),
		env("ORDERER_ADMIN_TLS_CLIENTROOTCAS", list(TLSCAFile)),
		env("ORDERER_OPERATIONS_LISTENADDRESS", listenAll(node.Ports.Metrics)),
		env("ORDERER_METRICS_PROVIDER", "prometheus"),
	}
}

// CouchDB's administrator, as the peer logs in and the image creates it.
const CouchDBUser = "admin"

// couchDBPort is CouchDB's HTTP port; bound to loopback, only the peer beside it
// reaches it.
const couchDBPort = 5984

// PeerEnv configures a peer: the core.yaml it reads (FABRIC_CFG_PATH, the party's
// peer-core ConfigMap: no Docker, the image's ccaas external builder); its gRPC service
// on all interfaces, announced to its own org and, through gossip, to the others at
// its endpoint; its state in the CouchDB sidecar on loopback; the chaincode listener
// for its party's chaincode servers.
func PeerEnv(network *model.Network, party model.Party, node model.Node) []corev1.EnvVar {
	return []corev1.EnvVar{
		env("FABRIC_CFG_PATH", PeerConfigPath),
		env("CORE_PEER_ID", node.Name),
		env("CORE_PEER_LISTENADDRESS", listenAll(node.Ports.P2P)),
		env("CORE_PEER_ADDRESS", endpoint(node)),
		env("CORE_PEER_CHAINCODELISTENADDRESS", listenAll(node.Ports.RPC)),
		env("CORE_PEER_GOSSIP_BOOTSTRAP", gossipBootstrap(network, node)),
		env("CORE_PEER_GOSSIP_EXTERNALENDPOINT", endpoint(node)),
		env("CORE_PEER_LOCALMSPID", party.MSPID),
		env("CORE_PEER_MSPCONFIGPATH", MSPDir),
		env("CORE_PEER_FILESYSTEMPATH", DataPath),
		env("CORE_PEER_TLS_ENABLED", "true"),
		env("CORE_PEER_TLS_CERT_FILE", TLSCertFile),
		env("CORE_PEER_TLS_KEY_FILE", TLSKeyFile),
		env("CORE_PEER_TLS_ROOTCERT_FILE", TLSCAFile),
		env("CORE_OPERATIONS_LISTENADDRESS", listenAll(node.Ports.Metrics)),
		env("CORE_METRICS_PROVIDER", "prometheus"),
		env("CORE_LEDGER_STATE_STATEDATABASE", "CouchDB"),
		env("CORE_LEDGER_STATE_COUCHDBCONFIG_COUCHDBADDRESS", couchDBAddress),
		env("CORE_LEDGER_STATE_COUCHDBCONFIG_USERNAME", CouchDBUser),
		couchDBPassword("CORE_LEDGER_STATE_COUCHDBCONFIG_PASSWORD", node),
	}
}

// gossipBootstrap lists the peers of the same party a peer gossips with first: the
// party's other peers, or itself when it is the only one (as Fabric's test network).
func gossipBootstrap(network *model.Network, node model.Node) string {
	var peers []string
	for _, n := range network.NodesByParty()[node.Party] {
		if n.Role == model.RolePeer && n.Name != node.Name {
			peers = append(peers, endpoint(n))
		}
	}
	if len(peers) == 0 {
		return endpoint(node)
	}
	return list(peers...)
}

func couchDBPassword(name string, node model.Node) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: identity.SecretName(node.Name)},
		Key:                  layout.CouchDBPasswordEntry,
	}}}
}

// The CouchDB settings every peer's sidecar reads: [chttpd] bind_address on loopback,
// overriding the image's "any" (10-docker-default.ini) by coming after it in
// /opt/couchdb/etc/default.d.
const (
	CouchDBConfigMap = "couchdb-config"
	CouchDBIniFile   = "20-loopback.ini"
	couchDBIni       = "[chttpd]\nbind_address = 127.0.0.1\n"
)

// Paths in the official CouchDB image (apache/couchdb-docker 3.x Dockerfile and
// docker-entrypoint.sh).
const (
	CouchDBDataPath    = "/opt/couchdb/data"
	CouchDBLocalDPath  = "/opt/couchdb/etc/local.d"
	CouchDBDefaultPath = "/opt/couchdb/etc/default.d"
	// CouchDBUID is the couchdb user (Dockerfile: useradd -u 5984).
	CouchDBUID = 5984
)

// couchDB is the peer's state database. Not running as root, the image's entrypoint
// skips its chown and privilege drop and writes the admin from COUCHDB_USER and
// COUCHDB_PASSWORD into local.d/docker.ini, so local.d must be writable (an emptyDir;
// the admin is written again at every start). Its data is a volume of its own, group
// writable through the pod's fsGroup.
func (r *partyRenderer) couchDB(node model.Node) corev1.Container {
	sc := workload.Restricted()
	sc.RunAsUser = ptr.To(int64(CouchDBUID))
	sc.RunAsGroup = ptr.To(int64(CouchDBUID))
	small := model.ResourceList{CPU: "100m", Memory: "256Mi"}
	limit := model.ResourceList{CPU: "1", Memory: "1Gi"}
	return corev1.Container{
		Name:  "couchdb",
		Image: r.network.Fabric.Images.CouchDB,
		Env: []corev1.EnvVar{
			env("COUCHDB_USER", CouchDBUser),
			couchDBPassword("COUCHDB_PASSWORD", node),
		},
		Resources: workload.Resources(small, limit),
		VolumeMounts: []corev1.VolumeMount{
			{Name: "couchdb", MountPath: CouchDBDataPath},
			{Name: "couchdb-local", MountPath: CouchDBLocalDPath},
			{Name: "couchdb-config", MountPath: CouchDBDefaultPath + "/" + CouchDBIniFile, SubPath: CouchDBIniFile, ReadOnly: true},
			{Name: "tmp", MountPath: "/tmp"},
		},
		SecurityContext: sc,
		// Bound to loopback, CouchDB is out of the kubelet's reach (an httpGet probe
		// dials the pod IP); curl inside the container asks it.
		StartupProbe:   couchDBUpProbe(5, 24),
		ReadinessProbe: couchDBUpProbe(10, 3),
	}
}

// couchDBUpProbe asks CouchDB's GET /_up, which answers 200 once the server is up and
// ready to respond, 404 in maintenance mode (docs.couchdb.org api/server/common
// "/_up"); curl -f fails on either. The image has curl: the couchdb package depends
// on it (apache/couchdb-pkg debian/control.in), installed after the Dockerfile purged
// its own.
func couchDBUpProbe(period, failures int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{
			"curl", "-fsS", "-o", "/dev/null", "--max-time", "4", "http://" + couchDBAddress + "/_up",
		}}},
		PeriodSeconds:    period,
		TimeoutSeconds:   5,
		FailureThreshold: failures,
	}
}
