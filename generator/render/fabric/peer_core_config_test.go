package fabric_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
)

// peerCoreYAML renders the network for a Fabric release line and returns, per party,
// its core.yaml flattened to lower-cased dotted keys (viper's matching).
func peerCoreYAML(t *testing.T, version string) map[string]map[string]any {
	t.Helper()
	n := referenceNetwork(t)
	n.Fabric.Version = version
	out := map[string]map[string]any{}
	for party, files := range renderParties(t, n) {
		var cm corev1.ConfigMap
		if err := yaml.Unmarshal(files["shared/"+fabric.PeerCoreFile], &cm); err != nil {
			t.Fatal(err)
		}
		if cm.Name != fabric.PeerCoreConfigMap || cm.Data[fabric.PeerCoreKey] == "" {
			t.Fatalf("%s: peer core ConfigMap %q holds %v", party, cm.Name, cm.Data)
		}
		var core map[string]any
		if err := yaml.Unmarshal([]byte(cm.Data[fabric.PeerCoreKey]), &core); err != nil {
			t.Fatal(err)
		}
		out[party] = map[string]any{}
		flatten("", core, out[party])
	}
	return out
}

func flatten(prefix string, v any, out map[string]any) {
	m, ok := v.(map[string]any)
	if !ok {
		out[prefix] = v
		return
	}
	for k, sub := range m {
		key := strings.ToLower(k)
		if prefix != "" {
			key = prefix + "." + key
		}
		flatten(key, sub, out)
	}
}

var versions = []string{model.Fabric25, model.Fabric31}

// Fabric v2.5.16 and v3.1.5 internal/peer/node/start.go: `if coreConfig.VMEndpoint !=
// ""` builds a Docker client and registers the "docker" health checker
// (opsSystem.RegisterChecker("docker", dockerVM)), which fails in a pod without a
// Docker socket and turns /healthz into 503. vm.endpoint must be absent or empty.
func TestPeerCoreConfigHasNoDockerEndpoint(t *testing.T) {
	for _, v := range versions {
		for party, core := range peerCoreYAML(t, v) {
			for key, value := range core {
				if strings.HasPrefix(key, "vm.") && value != "" && value != nil {
					t.Errorf("Fabric %s, %s: %s = %v", v, party, key, value)
				}
			}
		}
	}
}

// requiredKey is a key the peer reads with no default of its own (or whose zero value
// changes what the peer does), and the Fabric file that reads it.
type requiredKey struct{ key, source string }

// Read by both release lines (Fabric v2.5.16 and v3.1.5, same code).
var requiredPeerKeys = []requiredKey{
	{"peer.localMspId", "core/peer/config.go load; msp/mgmt"},
	{"peer.mspConfigPath", "internal/peer/common/common.go InitCrypto"},
	{"peer.fileSystemPath", "internal/peer/node/config.go ledgerConfig (ledgersData under it)"},
	{"peer.tls.enabled", "core/peer/config.go GetServerConfig"},
	{"peer.tls.cert.file", "core/peer/config.go GetServerConfig"},
	{"peer.tls.key.file", "core/peer/config.go GetServerConfig"},
	{"peer.tls.rootcert.file", "core/peer/config.go GetServerConfig"},
	{"peer.gossip.orgLeader", "gossip/service/config.go loadGossipConfig: GetBool; with useLeaderElection false, no peer pulls blocks"},
	{"peer.gossip.useLeaderElection", "gossip/service/config.go loadGossipConfig: GetBool"},
	{"peer.discovery.enabled", "core/peer/config.go load: GetBool, false turns discovery off"},
	{"peer.discovery.authCacheEnabled", "core/peer/config.go load: GetBool"},
	{"peer.discovery.authCacheMaxSize", "core/peer/config.go load: GetInt"},
	{"peer.discovery.authCachePurgeRetentionRatio", "core/peer/config.go load: GetFloat64"},
	{"peer.limits.concurrency.endorserService", "core/peer/config.go load: GetInt"},
	{"peer.limits.concurrency.deliverService", "core/peer/config.go load: GetInt"},
	{"peer.limits.concurrency.gatewayService", "core/peer/config.go load: GetInt"},
	{"peer.handlers.authFilters", "core/handlers/library/config.go: no default"},
	{"peer.handlers.decorators", "core/handlers/library/config.go: no default"},
	{"peer.handlers.endorsers.escc.name", "core/handlers/library/config.go: the endorsement plugin"},
	{"peer.handlers.validators.vscc.name", "core/handlers/library/config.go: the validation plugin"},
	{"chaincode.externalBuilders", "internal/peer/node/start.go: panics \"VMEndpoint not set and no ExternalBuilders defined\""},
	{"chaincode.executetimeout", "core/chaincode/config.go: GetDuration, no default"},
	{"chaincode.installTimeout", "core/chaincode/config.go: GetDuration, no default"},
	{"chaincode.system._lifecycle", "core/chaincode/config.go SCCAllowlist; internal/peer/node/start.go deploys only listed system chaincodes"},
	{"chaincode.system.cscc", "core/chaincode/config.go SCCAllowlist"},
	{"chaincode.system.qscc", "core/chaincode/config.go SCCAllowlist"},
	{"ledger.state.stateDatabase", "internal/peer/node/config.go ledgerConfig"},
	{"ledger.state.couchDBConfig.couchDBAddress", "internal/peer/node/config.go ledgerConfig"},
	{"ledger.state.couchDBConfig.username", "internal/peer/node/config.go ledgerConfig"},
	{"ledger.state.couchDBConfig.maxRetries", "internal/peer/node/config.go ledgerConfig: GetInt"},
	{"ledger.state.couchDBConfig.maxRetriesOnStartup", "internal/peer/node/config.go ledgerConfig: GetInt"},
	{"ledger.state.couchDBConfig.requestTimeout", "internal/peer/node/config.go ledgerConfig: GetDuration"},
	{"ledger.state.couchDBConfig.cacheSize", "internal/peer/node/config.go ledgerConfig: GetInt, 0 turns the cache off"},
	{"ledger.state.totalQueryLimit", "internal/peer/node/config.go ledgerConfig: GetInt"},
	{"ledger.history.enableHistoryDatabase", "internal/peer/node/config.go ledgerConfig: GetBool, false drops key history"},
	{"metrics.provider", "core/peer/config.go load; core/operations/system.go"},
	{"operations.tls.enabled", "core/peer/config.go load; core/operations/system.go"},
}

// Fabric v3.1.5 only: core/chaincode/config.go reads the batch sizes with GetUint32
// and no default.
var requiredFabric3Keys = []requiredKey{
	{"chaincode.runtimeParams.maxSizeWriteBatch", "core/chaincode/config.go (v3.1.5)"},
	{"chaincode.runtimeParams.maxSizeGetMultipleKeys", "core/chaincode/config.go (v3.1.5)"},
}

// The keys each peer reads from its own variables (they differ per node); the
// container sets them (Fabric v2.5.16 core/peer/config.go getLocalAddress errors
// "peer.address isn't set").
var perNodePeerKeys = []string{"peer.id", "peer.address", "peer.listenAddress", "peer.chaincodeListenAddress",
	"peer.gossip.bootstrap", "peer.gossip.externalEndpoint", "operations.listenAddress"}

// Every key a peer needs to start as the image's core.yaml would start it is in the
// rendered core.yaml, or, for what differs per node, in the peer container's
// variables.
func TestPeerCoreConfigCarriesEveryRequiredKey(t *testing.T) {
	for _, v := range versions {
		required := requiredPeerKeys
		if v != model.Fabric25 {
			required = append(slices.Clone(required), requiredFabric3Keys...)
		}
		for party, core := range peerCoreYAML(t, v) {
			for _, k := range required {
				if value, ok := core[strings.ToLower(k.key)]; !ok || value == nil || value == "" {
					if _, list := findList(core, k.key); !list {
						t.Errorf("Fabric %s, %s: %s missing (%s)", v, party, k.key, k.source)
					}
				}
			}
		}
	}
	n := referenceNetwork(t)
	for name, sts := range statefulSets(t, n) {
		if n.Nodes[name].Role != model.RolePeer {
			continue
		}
		env := envMap(mainContainer(t, sts).Env)
		for _, key := range perNodePeerKeys {
			if env[overrideName("CORE", key)] == "" {
				t.Errorf("%s: %s is not set", name, key)
			}
		}
	}
}

// findList reports whether key names a non-empty list (flatten keeps lists whole).
func findList(core map[string]any, key string) ([]any, bool) {
	l, ok := core[strings.ToLower(key)].([]any)
	return l, ok && len(l) > 0
}

// The peer image copies the ccaas builder to /opt/hyperledger/ccaas_builder (Fabric
// v2.5.16 and v3.1.5 images/peer/Dockerfile) and sampleconfig/core.yaml names it
// ccaas_builder; core/peer/config.go load rejects a builder without path or name.
// Fabric v3.1.5's TimeWindowCheck auth filter is only in v3 (core/handlers/library/
// library.go); a v2.5.16 peer panics on a filter its library lacks
// (core/handlers/library/registry.go "isn't a method of HandlerLibrary").
func TestPeerCoreConfigMatchesTheReleaseLine(t *testing.T) {
	for _, v := range versions {
		for party, core := range peerCoreYAML(t, v) {
			builders, _ := findList(core, "chaincode.externalBuilders")
			got := fmt.Sprint(builders)
			if len(builders) != 1 || !strings.Contains(got, "name:ccaas_builder") || !strings.Contains(got, "path:/opt/hyperledger/ccaas_builder") {
				t.Errorf("Fabric %s, %s: external builders %s", v, party, got)
			}
			filters := fmt.Sprint(core["peer.handlers.authfilters"])
			if hasTimeWindow := strings.Contains(filters, "TimeWindowCheck"); hasTimeWindow != (v != model.Fabric25) {
				t.Errorf("Fabric %s, %s: auth filters %s", v, party, filters)
			}
		}
	}
}

// A CORE_* variable overrides the key of core.yaml it names (cmd/peer/main.go
// AutomaticEnv); where both give a key, they agree, so core.yaml alone tells what
// the peer runs with.
func TestPeerCoreConfigAgreesWithTheContainerVariables(t *testing.T) {
	for _, v := range versions {
		n := referenceNetwork(t)
		n.Fabric.Version = v
		cores := peerCoreYAML(t, v)
		for name, sts := range statefulSets(t, n) {
			if n.Nodes[name].Role != model.RolePeer {
				continue
			}
			env := envMap(mainContainer(t, sts).Env)
			for key, value := range cores[n.Nodes[name].Party] {
				got, ok := env[overrideName("CORE", key)]
				if !ok {
					continue
				}
				want := fmt.Sprint(value)
				if l, isList := value.([]any); isList {
					want = "[" + strings.Trim(fmt.Sprint(l), "[]") + "]"
				}
				if !strings.EqualFold(got, want) {
					t.Errorf("Fabric %s, %s: %s is %q in the container, %q in core.yaml", v, name, key, got, want)
				}
			}
		}
	}
}

// The peer reads core.yaml from $FABRIC_CFG_PATH (Fabric v2.5.16 core/config/config.go
// InitViper, called by internal/peer/common/common.go InitConfig): the variable names
// the directory where the party's peer-core ConfigMap is mounted, and a change of
// core.yaml changes the pod template, restarting the peer.
func TestPeerReadsTheRenderedCoreConfig(t *testing.T) {
	n := referenceNetwork(t)
	for name, sts := range statefulSets(t, n) {
		main := mainContainer(t, sts)
		cfgPath := envMap(main.Env)["FABRIC_CFG_PATH"]
		if n.Nodes[name].Role != model.RolePeer {
			if cfgPath != "" {
				t.Errorf("%s: FABRIC_CFG_PATH %q", name, cfgPath)
			}
			continue
		}
		var volume string
		for _, m := range main.VolumeMounts {
			if m.MountPath == cfgPath && m.ReadOnly && m.SubPath == "" {
				volume = m.Name
			}
		}
		if cfgPath == "" || volume == "" {
			t.Fatalf("%s: FABRIC_CFG_PATH %q is not a mount", name, cfgPath)
		}
		found := false
		for _, vol := range sts.Spec.Template.Spec.Volumes {
			if vol.Name == volume && vol.ConfigMap != nil && vol.ConfigMap.Name == fabric.PeerCoreConfigMap &&
				len(vol.ConfigMap.Items) == 1 && vol.ConfigMap.Items[0].Key == fabric.PeerCoreKey && vol.ConfigMap.Items[0].Path == "core.yaml" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: volume %s does not hold the peer-core ConfigMap's core.yaml", name, volume)
		}
		if len(sts.Spec.Template.Annotations[fabric.PeerCoreHashAnnotation]) != 64 {
			t.Errorf("%s: pod annotations %v", name, sts.Spec.Template.Annotations)
		}
	}
}
