package fabric_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// overrideName is the environment variable Fabric reads for a configuration key: the
// prefix, then the key upper-cased with '.' as '_' (Fabric v2.5.16
// common/viperutil/config_util.go getFromEnv for the orderer, whose config name
// "orderer" gives ORDERER_; cmd/peer/main.go SetEnvPrefix("core") and
// SetEnvKeyReplacer for the peer).
func overrideName(prefix, key string) string {
	return prefix + "_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Fabric v2.5.16 sampleconfig/orderer.yaml (copied into the orderer image as
// $FABRIC_CFG_PATH/orderer.yaml by images/orderer/Dockerfile). Notable defaults the
// renderer overrides: General.ListenAddress 127.0.0.1, General.BootstrapMethod file,
// ChannelParticipation.Enabled false, Admin.ListenAddress 127.0.0.1:9443 with
// Admin.TLS.Enabled false, Operations.ListenAddress 127.0.0.1:8443, Metrics.Provider
// disabled. Admin.TLS.ClientAuthRequired is true there and is set anyway.
var ordererKeys = []string{
	"General.ListenAddress", "General.ListenPort", "General.LocalMSPID", "General.LocalMSPDir",
	"General.TLS.Enabled", "General.TLS.Certificate", "General.TLS.PrivateKey", "General.TLS.RootCAs",
	"General.BootstrapMethod", "FileLedger.Location", "Consensus.WALDir", "Consensus.SnapDir",
	"ChannelParticipation.Enabled",
	"Admin.ListenAddress", "Admin.TLS.Enabled", "Admin.TLS.Certificate", "Admin.TLS.PrivateKey",
	"Admin.TLS.ClientAuthRequired", "Admin.TLS.ClientRootCAs",
	"Operations.ListenAddress", "Metrics.Provider",
}

// Fabric v2.5.16 sampleconfig/core.yaml (the keys of the core.yaml flux-ledger renders
// in the peer-core ConfigMap), except peer.chaincodeListenAddress, commented out there
// and read by core/peer/config.go GlobalConfig.load.
var peerKeys = []string{
	"peer.id", "peer.listenAddress", "peer.address", "peer.chaincodeListenAddress",
	"peer.gossip.bootstrap", "peer.gossip.externalEndpoint",
	"peer.localMspId", "peer.mspConfigPath", "peer.fileSystemPath",
	"peer.tls.enabled", "peer.tls.cert.file", "peer.tls.key.file", "peer.tls.rootcert.file",
	"operations.listenAddress", "metrics.provider",
	"ledger.state.stateDatabase", "ledger.state.couchDBConfig.couchDBAddress",
	"ledger.state.couchDBConfig.username", "ledger.state.couchDBConfig.password",
}

// Every variable the orderer and peer containers get overrides a key of Fabric's
// configuration: a misspelt name would be ignored silently, leaving the sample default.
// FABRIC_CFG_PATH names the directory of core.yaml (core/config/config.go InitViper).
func TestEnvironmentOverridesFabricConfigKeys(t *testing.T) {
	known := map[string]bool{"FABRIC_CFG_PATH": true}
	for _, k := range ordererKeys {
		known[overrideName("ORDERER", k)] = true
	}
	for _, k := range peerKeys {
		known[overrideName("CORE", k)] = true
	}
	n := referenceNetwork(t)
	for name, sts := range statefulSets(t, n) {
		for _, e := range mainContainer(t, sts).Env {
			if !known[e.Name] {
				t.Errorf("%s: %s is not a Fabric configuration key", name, e.Name)
			}
		}
	}
}

// The settings a network without a system channel depends on, with their values.
func TestOrdererJoinsChannelsThroughMutualTLSAdmin(t *testing.T) {
	n := referenceNetwork(t)
	sts := statefulSets(t, n)["contoso-orderer-1"]
	env := envMap(mainContainer(t, sts).Env)
	for key, want := range map[string]string{
		// orderer/common/server/main.go: BootstrapMethod "none" starts with no system
		// channel; channel participation (osnadmin) is the only way to join.
		"General.BootstrapMethod":      "none",
		"ChannelParticipation.Enabled": "true",
		"General.ListenAddress":        "0.0.0.0",
		"General.TLS.Enabled":          "true",
		"Admin.ListenAddress":          "0.0.0.0:7053",
		"Admin.TLS.Enabled":            "true",
		"Admin.TLS.ClientAuthRequired": "true",
		// Only the party's own TLS CA may call the admin API.
		"Admin.TLS.ClientRootCAs":  "[/var/hyperledger/crypto/tls/ca.crt]",
		"Operations.ListenAddress": "0.0.0.0:9443",
		"Metrics.Provider":         "prometheus",
		"General.LocalMSPID":       "ContosoMSP",
	} {
		if got := env[overrideName("ORDERER", key)]; got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
}

// A peer keeps its state in CouchDB on loopback, logging in with the password of its
// sealed Secret, and gossips its endpoint to other organisations.
func TestPeerUsesLoopbackCouchDBAndAnnouncesItsEndpoint(t *testing.T) {
	n := referenceNetwork(t)
	sts := statefulSets(t, n)["fabrikam-peer-1"]
	main := mainContainer(t, sts)
	env := envMap(main.Env)
	node := n.Nodes["fabrikam-peer-1"]
	endpoint := node.Endpoint.Host + ":" + itoa(node.Endpoint.Port)
	for key, want := range map[string]string{
		// core/ledger/ledger_interface.go: the state database is "goleveldb" or "CouchDB".
		"ledger.state.stateDatabase":                "CouchDB",
		"ledger.state.couchDBConfig.couchDBAddress": "127.0.0.1:5984",
		"ledger.state.couchDBConfig.username":       "admin",
		"peer.gossip.externalEndpoint":              endpoint,
		"peer.address":                              endpoint,
		"peer.localMspId":                           "FabrikamMSP",
	} {
		if got := env[overrideName("CORE", key)]; got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	var couch *corev1.Container
	for i, c := range sts.Spec.Template.Spec.Containers {
		if c.Name == "couchdb" {
			couch = &sts.Spec.Template.Spec.Containers[i]
		}
	}
	if couch == nil {
		t.Fatal("no CouchDB sidecar")
	}
	if couch.Image != n.Fabric.Images.CouchDB {
		t.Errorf("CouchDB image %s", couch.Image)
	}
	// apache/couchdb-docker 3.3.3/docker-entrypoint.sh: COUCHDB_USER and
	// COUCHDB_PASSWORD become an [admins] entry appended to local.d/docker.ini, which
	// it touches first; not running as root, it chowns nothing. So local.d must be
	// writable, and /opt/couchdb/data (the image's VOLUME) is the data.
	secretRef := func(e corev1.EnvVar) string {
		if e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			return ""
		}
		return e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
	}
	wantRef := "fabrikam-peer-1-nodekey/couchdb-password"
	for _, e := range couch.Env {
		if e.Name == "COUCHDB_USER" && e.Value != "admin" || e.Name == "COUCHDB_PASSWORD" && secretRef(e) != wantRef {
			t.Errorf("CouchDB %s = %q %q", e.Name, e.Value, secretRef(e))
		}
	}
	for _, e := range main.Env {
		if e.Name == "CORE_LEDGER_STATE_COUCHDBCONFIG_PASSWORD" && secretRef(e) != wantRef {
			t.Errorf("peer's CouchDB password from %q", secretRef(e))
		}
	}
	mounts := map[string]bool{}
	for _, m := range couch.VolumeMounts {
		mounts[m.MountPath] = !m.ReadOnly
	}
	if !mounts["/opt/couchdb/etc/local.d"] || !mounts["/opt/couchdb/data"] {
		t.Errorf("CouchDB writable mounts %v", mounts)
	}
	// apache/couchdb-docker 3.3.3/10-docker-default.ini binds [chttpd] to "any" from
	// default.d; a later file there binds it to loopback.
	if _, ok := mounts["/opt/couchdb/etc/default.d/20-loopback.ini"]; !ok {
		t.Errorf("no loopback binding in default.d: %v", mounts)
	}
	if uid := couch.SecurityContext.RunAsUser; uid == nil || *uid != 5984 {
		t.Errorf("CouchDB runs as %v, want the image's couchdb user 5984", uid)
	}
}

func envMap(vars []corev1.EnvVar) map[string]string {
	out := map[string]string{}
	for _, e := range vars {
		out[e.Name] = e.Value
	}
	return out
}
