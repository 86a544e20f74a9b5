package besu

import (
	"bufio"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// optionList reads testdata/besu-<version>-options.txt: every picocli @Option of that
// Besu tag with the Java type of its field and the source file it is declared in
// (produced from github.com/hyperledger/besu by testdata/extract-options.py).
func optionList(t *testing.T, version string) map[string][2]string {
	t.Helper()
	f, err := os.Open("testdata/besu-" + version + "-options.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][2]string{}
	scan := bufio.NewScanner(f)
	for scan.Scan() {
		line := scan.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 3 {
			t.Fatalf("malformed option line %q", line)
		}
		out[fields[0]] = [2]string{fields[1], fields[2]}
	}
	if len(out) < 300 {
		t.Fatalf("option list of %s has %d options: truncated?", version, len(out))
	}
	return out
}

var (
	integer = regexp.MustCompile(`^[0-9]+$`)
	// Enum constants, each read from the Besu 24.12.2 source file named.
	enumValues = map[string][]string{
		// ethereum/eth/src/main/java/org/hyperledger/besu/ethereum/eth/sync/SyncMode.java
		"SyncMode": {"FULL", "FAST", "SNAP", "CHECKPOINT"},
		// nat/src/main/java/org/hyperledger/besu/nat/NatMethod.java
		"NatMethod": {"UPNP", "UPNPP2PONLY", "DOCKER", "KUBERNETES", "AUTO", "NONE"},
		// plugin-api/src/main/java/org/hyperledger/besu/plugin/services/storage/DataStorageFormat.java
		"DataStorageFormat": {"FOREST", "BONSAI"},
	}
	// ethereum/api/src/main/java/org/hyperledger/besu/ethereum/api/jsonrpc/RpcApis.java,
	// per release: 26.2.0 has dropped EEA and PRIV.
	rpcAPIs = map[string][]string{
		"24.12.2": {"ETH", "DEBUG", "MINER", "NET", "PERM", "WEB3", "ADMIN", "EEA", "PRIV", "TXPOOL", "TRACE", "PLUGINS", "CLIQUE", "IBFT", "ENGINE", "QBFT"},
		"26.2.0":  {"ETH", "DEBUG", "MINER", "NET", "PERM", "WEB3", "ADMIN", "TXPOOL", "TRACE", "PLUGINS", "CLIQUE", "IBFT", "ENGINE", "QBFT"},
	}
	// besu/src/main/java/org/hyperledger/besu/cli/options/LoggingLevelOption.java ACCEPTED_VALUES
	logLevels = []string{"OFF", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL"}
)

// validValue checks an option's value against the Java type picocli converts it to
// (and an API name against the release's RpcApis).
func validValue(version, option, javaType, value string) bool {
	switch {
	case javaType == "Boolean":
		return value == "true" || value == "false"
	case javaType == "Integer", javaType == "Wei":
		return integer.MatchString(value)
	case javaType == "Path", javaType == "File":
		return strings.HasPrefix(value, "/")
	case javaType == "String":
		return value != "" && !strings.ContainsAny(value, " \t\n")
	case javaType == "List<String>" && (strings.HasPrefix(option, "--rpc-http-api") || option == "--rpc-ws-api"):
		for _, api := range strings.Split(value, ",") {
			if !slices.Contains(rpcAPIs[version], api) {
				return false
			}
		}
		return true
	case javaType == "JsonRPCAllowlistHostsProperty":
		// "*" or a comma-separated list of hostnames (BesuCommand --host-allowlist).
		return value == "*" || (value != "" && !strings.ContainsAny(value, " *"))
	case option == "--logging":
		return slices.Contains(logLevels, value)
	case enumValues[javaType] != nil:
		return slices.Contains(enumValues[javaType], value)
	}
	return false
}

// every role, both algorithms, both storage formats.
func variants(t *testing.T) []*model.Network {
	network := reference(t)
	ibft := clone(network)
	ibft.Consensus.Algorithm = model.IBFT2
	forest := clone(network)
	for name, node := range forest.Nodes {
		node.Storage.Format = model.StorageForest
		forest.Nodes[name] = node
	}
	return []*model.Network{network, ibft, forest}
}

// Every option the renderer passes exists in the pinned Besu release (24.12.2, the
// reference network's image) and in the newest release (26.2.0), with a value of the
// form its Java type accepts. The list names each option's source file.
func TestEveryRenderedOptionExistsWithAValidValue(t *testing.T) {
	for _, version := range []string{"24.12.2", "26.2.0"} {
		known := optionList(t, version)
		for _, network := range variants(t) {
			for _, name := range network.NodeNames() {
				node := network.Nodes[name]
				for option, value := range options(t, Args(network, node)) {
					decl, ok := known[option]
					if !ok {
						t.Errorf("Besu %s has no option %s (node %s)", version, option, name)
						continue
					}
					if option == "--p2p-host" {
						continue // the pod IP, checked in p2p_exposure_test.go
					}
					if !validValue(version, option, decl[0], value) {
						t.Errorf("Besu %s: %s=%q is not a valid %s (%s)", version, option, value, decl[0], decl[1])
					}
				}
			}
		}
	}
}

// The check above can fail: an unknown option, a wrong boolean and an unknown enum
// constant are each rejected.
func TestOptionCheckRejectsWhatBesuWould(t *testing.T) {
	known := optionList(t, "24.12.2")
	if _, ok := known["--permissions-nodes-contract-enabled-typo"]; ok {
		t.Error("unknown option accepted")
	}
	for _, c := range []struct{ option, value string }{
		{"--discovery-enabled", "no"},
		{"--sync-mode", "FASTEST"},
		{"--data-storage-format", "bonsai-archive"},
		{"--rpc-http-api", "ETH,ADMINS"},
		{"--rpc-http-api", "ADMIN,QBFT2"},
		{"--p2p-port", "30303/tcp"},
	} {
		if validValue("24.12.2", c.option, known[c.option][0], c.value) {
			t.Errorf("%s=%s accepted", c.option, c.value)
		}
	}
}

// The container runs Besu's start script itself, not the image's entry point: Besu
// 24.12.2 besu/src/main/scripts/besu-entry.sh builds COMMAND="/opt/besu/bin/besu $@"
// and runs `bash -c "$COMMAND"` for a non-root user, which word-splits and globs every
// argument again (--host-allowlist=* would glob against the working directory). The
// path is the image's (docker/Dockerfile copies the distribution to /opt/besu).
func TestBesuRunsWithoutTheEntryScript(t *testing.T) {
	for name, r := range renderNodes(t, reference(t)) {
		besu := container(t, r.sts, "besu")
		if !slices.Equal(besu.Command, []string{"/opt/besu/bin/besu"}) {
			t.Errorf("%s: command %q", name, besu.Command)
		}
	}
}
