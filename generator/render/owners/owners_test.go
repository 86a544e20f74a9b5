package owners_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/owners"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

func referenceNetwork(t *testing.T) *model.Network {
	t.Helper()
	result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	return result.Network
}

// codeOwners evaluates a CODEOWNERS file for one path the way GitHub documents it
// (docs.github.com, "About code owners"): the last matching line wins; a pattern
// starting with "/" is anchored at the root, one ending in "/" matches everything
// below that directory, "*" matches every file. Only the forms the renderer writes
// are supported; any other form fails the test.
func codeOwners(t *testing.T, file, path string) []string {
	t.Helper()
	var owners []string
	for _, line := range strings.Split(file, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		pattern := fields[0]
		var match bool
		switch {
		case pattern == "*":
			match = true
		case strings.HasPrefix(pattern, "/") && strings.HasSuffix(pattern, "/"):
			match = strings.HasPrefix("/"+path, pattern)
		case strings.HasPrefix(pattern, "/") && !strings.ContainsAny(pattern, "*?["):
			match = "/"+path == pattern
		default:
			t.Fatalf("unsupported CODEOWNERS pattern %q", pattern)
		}
		if match {
			owners = fields[1:]
		}
	}
	return owners
}

// TestEachPartyOwnsWhatReachesOnlyItsClusters: a party's directory and its clusters'
// entry points need that party's reviewers; the network, the policies, .sops.yaml,
// the code and the ownership files themselves need the reviewers of every party.
func TestEachPartyOwnsWhatReachesOnlyItsClusters(t *testing.T) {
	network := referenceNetwork(t)
	files, err := owners.Render(network)
	if err != nil {
		t.Fatal(err)
	}
	file := string(files[owners.CodeOwnersPath])
	var everyone []string
	for _, p := range network.PartyNames() {
		everyone = append(everyone, network.Parties[p].Reviewers...)
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	for _, path := range []string{"cue/network.cue", "cue/schema/network.cue", "policies/pod-security.yaml",
		".sops.yaml", "CODEOWNERS", ".azuredevops/required-reviewers.sh", "generator/render/render.go", "Makefile", "README.md"} {
		if got := codeOwners(t, file, path); !slices.Equal(sorted(got), sorted(everyone)) {
			t.Errorf("%s owned by %v, want every party %v", path, got, everyone)
		}
	}
	for _, name := range network.ClusterNames() {
		party := network.Clusters[name].Party
		want := network.Parties[party].Reviewers
		for _, path := range []string{"parties/" + party + "/clusters/" + name + "/kustomization.yaml", "clusters/" + name + "/sync.yaml", "clusters/" + name + "/arc/create.sh"} {
			if got := codeOwners(t, file, path); !slices.Equal(got, want) {
				t.Errorf("%s owned by %v, want party %s's %v", path, got, party, want)
			}
		}
	}
	// A directory whose name extends another party's must not match its rule.
	if got := codeOwners(t, file, "parties/contoso-two/x.yaml"); !slices.Equal(sorted(got), sorted(everyone)) {
		t.Errorf("parties/contoso-two owned by %v", got)
	}
}

// TestAzureDevOpsPoliciesRequireEveryPartyOnSharedPaths runs the generated script under
// bash with a stub az and checks the policies it would create: per party, one on its
// own directories, and one per party on the shared paths, each blocking, each naming
// only e-mail addresses (--required-reviewer-ids takes ';'-separated e-mail addresses:
// learn.microsoft.com/cli/azure/repos/policy/required-reviewer).
func TestAzureDevOpsPoliciesRequireEveryPartyOnSharedPaths(t *testing.T) {
	network := referenceNetwork(t)
	files, err := owners.Render(network)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "az"), []byte("#!/usr/bin/env bash\nprintf '%s\\0' \"$@\" >> \"$AZ_ARGV\"\nprintf '\\n' >> \"$AZ_ARGV\"\n"), 0o755)
	script := filepath.Join(dir, "policies.sh")
	os.WriteFile(script, files[owners.AzureDevOpsPath], 0o755)
	record := filepath.Join(dir, "argv")
	cmd := exec.Command("bash", script)
	cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"), "AZ_ARGV="+record, "ADO_REPOSITORY_ID=repo-1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	data, _ := os.ReadFile(record)
	coverage := map[string]map[string]bool{} // path filter → parties whose policy covers it
	for _, call := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\x00\n") {
		argv := strings.Split(call, "\x00")
		flags := map[string]string{}
		for i := 4; i+1 < len(argv); i += 2 {
			flags[argv[i]] = argv[i+1]
		}
		if strings.Join(argv[:4], " ") != "repos policy required-reviewer create" || flags["--blocking"] != "true" ||
			flags["--repository-id"] != "repo-1" || flags["--branch"] != network.Repository.Branch {
			t.Errorf("policy %q", argv)
		}
		ids := strings.Split(flags["--required-reviewer-ids"], ";")
		party := ""
		for _, p := range network.PartyNames() {
			if slices.Contains(network.Parties[p].Reviewers, ids[0]) {
				party = p
			}
		}
		for _, id := range ids {
			if strings.HasPrefix(id, "@") || !slices.Contains(network.Parties[party].Reviewers, id) {
				t.Errorf("reviewer id %q is not an e-mail of party %q", id, party)
			}
		}
		for _, path := range strings.Split(flags["--path-filter"], ";") {
			if coverage[path] == nil {
				coverage[path] = map[string]bool{}
			}
			coverage[path][party] = true
		}
	}
	for _, path := range []string{"/cue/*", "/policies/*", "/.sops.yaml", "/CODEOWNERS", "/generator/*"} {
		if len(coverage[path]) != len(network.Parties) {
			t.Errorf("%s needs parties %v, want all %d", path, coverage[path], len(network.Parties))
		}
	}
	for _, name := range network.ClusterNames() {
		party := network.Clusters[name].Party
		for _, path := range []string{"/parties/" + party + "/*", "/clusters/" + name + "/*"} {
			if len(coverage[path]) != 1 || !coverage[path][party] {
				t.Errorf("%s needs parties %v, want only %s", path, coverage[path], party)
			}
		}
	}
}

// TestNoReviewersNoOwnershipFiles: without reviewers there is nothing to render.
func TestNoReviewersNoOwnershipFiles(t *testing.T) {
	network := referenceNetwork(t)
	for name, p := range network.Parties {
		p.Reviewers = nil
		network.Parties[name] = p
	}
	files, err := owners.Render(network)
	if err != nil || len(files) != 0 {
		t.Fatalf("files %v, err %v", files, err)
	}
}
