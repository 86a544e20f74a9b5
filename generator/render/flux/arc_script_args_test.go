package flux_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/flux"
)

// The rules below are those of the Azure CLI extension k8s-configuration
// (github.com/Azure/azure-cli-extensions, src/k8s-configuration/azext_k8s_configuration):
//
//   - _params.py: --kustomization/-k is KustomizationAddAction with nargs="+", so argparse
//     hands it every following word up to the next option; the other options below.
//   - action.py KustomizationAddAction: each word is split with item.split("=", 1) (a word
//     without "=" is a usage error); dependency, interval, retry-interval, timeout and
//     "disable-health-check" keys are special (wait = value != "true"); any other key is
//     passed on as a model property.
//   - validators.py validate_kustomization: "name" is required and must match
//     consts.VALID_KUBERNETES_DNS_SUBDOMAIN_NAME_REGEX within 63 characters; durations go
//     through validate_duration.
//   - consts.py: the key lists, the regexes; utils.py parse_duration turns a duration into
//     seconds with the same regex, matched at the start only (re.match).
var (
	azOptions = set("--resource-group", "-g", "--cluster-name", "-c", "--cluster-type", "-t", "--name", "-n",
		"--namespace", "--ns", "--scope", "-s", "--kind", "--url", "-u", "--timeout", "--interval", "--sync-interval",
		"--branch", "--tag", "--semver", "--commit", "--ssh-private-key", "--ssh-private-key-file", "--https-user",
		"--https-key", "--https-ca-cert", "--https-ca-cert-file", "--known-hosts", "--known-hosts-file",
		"--local-auth-ref", "--local-ref", "--suspend", "--kustomization", "-k")
	kustomizationKeys = set("name", "path", "prune", "force",
		"dependencies", "depends_on", "dependsOn", "depends",
		"interval", "sync_interval", "syncInterval", "retryInterval", "retry_interval", "timeout",
		"disable-health-check")
	dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([\.\-a-z0-9]*[a-z0-9])?$`)
	azDurationRE = regexp.MustCompile(`^((?P<hours>\d+?)h)?((?P<minutes>\d+?)m)?((?P<seconds>\d+?)s)?`)
)

// azKustomization is what the extension makes of one --kustomization word list.
type azKustomization struct {
	name                          string
	props                         map[string]string
	sync, retry, timeout          int
	wait                          bool
	syncSet, retrySet, timeoutSet bool
}

// parseAzDuration is validate_duration followed by parse_duration.
func parseAzDuration(s string) (int, error) {
	m := azDurationRE.FindStringSubmatch(s)
	if m == nil || (m[2] == "" && m[4] == "" && m[6] == "") {
		return 0, fmt.Errorf("invalid duration %q", s)
	}
	total := 0
	for i, unit := range map[int]int{2: 3600, 4: 60, 6: 1} {
		if m[i] != "" {
			n, _ := strconv.Atoi(m[i])
			total += n * unit
		}
	}
	return total, nil
}

// parseAzKustomization applies the extension's rules to the words after --kustomization.
func parseAzKustomization(words []string) (azKustomization, error) {
	k := azKustomization{props: map[string]string{}, wait: true}
	for _, w := range words {
		key, value, ok := strings.Cut(w, "=")
		if !ok {
			return k, fmt.Errorf("usage error: --kustomization KEY=VALUE [KEY=VALUE ...]: %q", w)
		}
		if !kustomizationKeys[key] {
			return k, fmt.Errorf("key %q is no kustomization property the extension knows", key)
		}
		var err error
		switch key {
		case "name":
			if len(value) > 63 || !dnsSubdomain.MatchString(value) {
				return k, fmt.Errorf("Error! Invalid name: %q", value)
			}
			k.name = value
		case "interval", "sync_interval", "syncInterval":
			k.sync, err = parseAzDuration(value)
			k.syncSet = true
		case "retryInterval", "retry_interval":
			k.retry, err = parseAzDuration(value)
			k.retrySet = true
		case "timeout":
			k.timeout, err = parseAzDuration(value)
			k.timeoutSet = true
		case "disable-health-check":
			k.wait = value != "true"
		default:
			k.props[key] = value
		}
		if err != nil {
			return k, err
		}
	}
	if k.name == "" {
		return k, fmt.Errorf("Error! Kustomization definition is invalid, required values {'name'} not found")
	}
	return k, nil
}

// splitArgv groups an argument vector into options and the words each one takes.
func splitArgv(t *testing.T, argv []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	current := ""
	for _, w := range argv {
		if strings.HasPrefix(w, "-") {
			if !azOptions[w] {
				t.Errorf("%q is no option of az k8s-configuration flux create", w)
			}
			if _, dup := out[w]; dup {
				t.Errorf("option %s given twice", w)
			}
			current = w
			out[w] = nil
			continue
		}
		if current == "" {
			t.Fatalf("word %q before any option", w)
		}
		out[current] = append(out[current], w)
	}
	return out
}

// runWithStubAz runs the script under bash with an az on PATH that records its argv,
// NUL-separated, exactly as bash passed it.
func runWithStubAz(t *testing.T, script []byte) []string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	os.MkdirAll(bin, 0o755)
	record := filepath.Join(dir, "argv")
	stub := "#!/usr/bin/env bash\nprintf '%s\\0' \"$@\" > \"$AZ_ARGV\"\n"
	if err := os.WriteFile(filepath.Join(bin, "az"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "create.sh")
	os.WriteFile(path, script, 0o755)
	cmd := exec.Command("bash", path)
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"), "AZ_ARGV="+record)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("bash create.sh: %v\n%s", err, out)
	}
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatal(err)
	}
	words := strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
	if len(words) < 4 || strings.Join(words[:3], " ") != "k8s-configuration flux create" {
		t.Fatalf("az called with %q", words)
	}
	return words[3:]
}

// TestAzScriptArgumentsParseAsTheExtensionParsesThem runs each generated create.sh
// under real bash, captures az's argument vector, and parses it with the extension's
// rules; the result must be the configuration the ARM template states.
func TestAzScriptArgumentsParseAsTheExtensionParsesThem(t *testing.T) {
	network := referenceNetwork(t)
	for _, name := range network.ClusterNames() {
		cluster := network.Clusters[name]
		files, err := flux.Cluster(network, peering.Of(network), cluster, nil)
		if err != nil {
			t.Fatal(err)
		}
		opts := splitArgv(t, runWithStubAz(t, files["arc/create.sh"]))
		k, err := parseAzKustomization(opts["--kustomization"])
		if err != nil {
			t.Fatalf("%s: %v (words %q)", name, err, opts["--kustomization"])
		}

		var template struct {
			Resources []struct {
				Type       string         `json:"type"`
				Name       string         `json:"name"`
				Properties map[string]any `json:"properties"`
			} `json:"resources"`
		}
		if err := json.Unmarshal(files["arc/fluxconfiguration.json"], &template); err != nil {
			t.Fatal(err)
		}
		var props map[string]any
		var configName string
		for _, r := range template.Resources {
			if r.Type == flux.FluxConfigurationType {
				props, configName = r.Properties, r.Name
			}
		}
		arm := props["kustomizations"].(map[string]any)[k.name].(map[string]any)
		if arm == nil {
			t.Fatalf("%s: script names kustomization %q, the template %v", name, k.name, props["kustomizations"])
		}
		// consts.KUSTOMIZATION_NAME_TOO_LONG_ERROR: configuration + kustomization name <= 62.
		if len(configName)+len(k.name) > 62 || opts["--name"][0] != configName {
			t.Errorf("%s: configuration %q / kustomization %q", name, opts["--name"], k.name)
		}
		seconds := func(key string) int { return int(arm[key].(float64)) }
		if !k.syncSet || !k.retrySet || !k.timeoutSet || k.sync != seconds("syncIntervalInSeconds") ||
			k.retry != seconds("retryIntervalInSeconds") || k.timeout != seconds("timeoutInSeconds") {
			t.Errorf("%s: script intervals %d/%d/%d, template %v", name, k.sync, k.retry, k.timeout, arm)
		}
		if k.wait != arm["wait"].(bool) || k.props["path"] != arm["path"] || k.props["prune"] != fmt.Sprint(arm["prune"]) {
			t.Errorf("%s: script wait=%t %v, template %v", name, k.wait, k.props, arm)
		}
		git := props["gitRepository"].(map[string]any)
		repoInterval, err := parseAzDuration(opts["--interval"][0])
		if err != nil || repoInterval != int(git["syncIntervalInSeconds"].(float64)) {
			t.Errorf("%s: --interval %q (%v), template %v", name, opts["--interval"], err, git["syncIntervalInSeconds"])
		}
		if got, want := strings.Join(opts["--local-auth-ref"], ""), fmt.Sprint(git["localAuthRef"]); git["localAuthRef"] != nil && got != want {
			t.Errorf("%s: --local-auth-ref %q, template localAuthRef %q", name, got, want)
		}
		for flag, want := range map[string]string{
			"--url": network.Repository.URL, "--branch": network.Repository.Branch, "--namespace": cluster.GitOps.Namespace,
			"--cluster-type": cluster.GitOps.Arc.ClusterKind, "--cluster-name": cluster.GitOps.Arc.ClusterName,
			"--resource-group": cluster.GitOps.Arc.ResourceGroup, "--scope": "cluster",
		} {
			if got := opts[flag]; len(got) != 1 || got[0] != want {
				t.Errorf("%s: %s %q, want %q", name, flag, got, want)
			}
		}
	}
}

// TestOneQuotedKustomizationWordIsRejected shows the check catches the defect it is
// for: all properties in one shell word reach az as one word, whose name is then
// "cluster path=…", which the extension refuses.
func TestOneQuotedKustomizationWordIsRejected(t *testing.T) {
	script := []byte("#!/usr/bin/env bash\naz k8s-configuration flux create --name ledger \\\n" +
		"  --kustomization 'name=cluster path=./clusters/x prune=true sync_interval=10m0s'\n")
	opts := splitArgv(t, runWithStubAz(t, script))
	if words := opts["--kustomization"]; len(words) != 1 {
		t.Fatalf("bash passed %q", words)
	}
	if _, err := parseAzKustomization(opts["--kustomization"]); err == nil || !strings.Contains(err.Error(), "Invalid name") {
		t.Fatalf("one-word kustomization accepted (err %v)", err)
	}
}
