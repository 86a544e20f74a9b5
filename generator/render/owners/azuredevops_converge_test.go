package owners_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/owners"
)

// stubAz answers the three az calls the script makes from a JSON state file, the way
// the azure-devops extension does:
//
//   - az repos policy list --repository-id ID --branch B --output json: a JSON array of
//     policy configurations ({id, isBlocking, isEnabled, type: {id, displayName},
//     settings: {requiredReviewerIds, filenamePatterns, message, scope: [{refName,
//     repositoryId, matchKind}]}}), the REST API's PolicyConfiguration
//     (learn.microsoft.com/rest/api/azure/devops/policy/configurations/list);
//   - az repos policy required-reviewer create …: adds one of type "Required
//     reviewers" (fd2167ab-b0be-447a-8ec8-39368250530e); reviewers are stored as ids,
//     not e-mail addresses, as Azure DevOps resolves them;
//   - az repos policy delete --id ID --yes.
//
// Flags: learn.microsoft.com/cli/azure/repos/policy. Every mutating call is logged.
const stubAz = `#!/usr/bin/env python3
import json, os, sys
state_file, log = os.environ["AZ_STATE"], os.environ["AZ_LOG"]
state = json.load(open(state_file)) if os.path.exists(state_file) else {"next": 1, "policies": []}
args = sys.argv[1:]
def flag(name):
    return args[args.index(name) + 1]
def save():
    json.dump(state, open(state_file, "w"), indent=1)
def logged(line):
    open(log, "a").write(line + "\n")
if args[:3] == ["repos", "policy", "list"]:
    repo, ref = flag("--repository-id"), "refs/heads/" + flag("--branch")
    print(json.dumps([p for p in state["policies"] if any(s["repositoryId"] == repo and s["refName"] == ref for s in p["settings"]["scope"])]))
elif args[:4] == ["repos", "policy", "required-reviewer", "create"]:
    p = {"id": state["next"], "isBlocking": flag("--blocking") == "true", "isEnabled": flag("--enabled") == "true",
         "type": {"id": "fd2167ab-b0be-447a-8ec8-39368250530e", "displayName": "Required reviewers"},
         "settings": {"requiredReviewerIds": ["id-of-" + e for e in flag("--required-reviewer-ids").split(";")],
                      "filenamePatterns": flag("--path-filter").split(";"), "message": flag("--message"),
                      "addedFilesOnly": False, "creatorVoteCounts": False, "minimumApproverCount": 1,
                      "scope": [{"refName": "refs/heads/" + flag("--branch"), "repositoryId": flag("--repository-id"), "matchKind": "Exact"}]}}
    state["next"] += 1
    state["policies"].append(p)
    save()
    logged("create %s" % p["settings"]["message"])
elif args[:3] == ["repos", "policy", "delete"]:
    pid = int(flag("--id"))
    state["policies"] = [p for p in state["policies"] if p["id"] != pid]
    save()
    logged("delete %d" % pid)
else:
    sys.exit("az stub: unexpected call %r" % args)
`

type adoRun struct {
	t                       *testing.T
	dir, state, log, repoID string
}

func newADO(t *testing.T) *adoRun {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(stubAz), 0o755); err != nil {
		t.Fatal(err)
	}
	return &adoRun{t: t, dir: dir, state: filepath.Join(dir, "state.json"), log: filepath.Join(dir, "log"), repoID: "repo-1"}
}

// run runs the script rendered for network and returns the mutating calls it made.
func (a *adoRun) run(network *model.Network) []string {
	a.t.Helper()
	script := filepath.Join(a.dir, "required-reviewers.sh")
	if err := os.WriteFile(script, render(a.t, network)[owners.AzureDevOpsPath], 0o755); err != nil {
		a.t.Fatal(err)
	}
	os.Remove(a.log)
	cmd := exec.Command("bash", script)
	cmd.Env = append(os.Environ(), "PATH="+a.dir+":"+os.Getenv("PATH"), "AZ_STATE="+a.state, "AZ_LOG="+a.log, "ADO_REPOSITORY_ID="+a.repoID)
	if out, err := cmd.CombinedOutput(); err != nil {
		a.t.Fatalf("%v\n%s", err, out)
	}
	data, _ := os.ReadFile(a.log)
	if len(data) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

type adoPolicy struct {
	ID         int  `json:"id"`
	IsBlocking bool `json:"isBlocking"`
	IsEnabled  bool `json:"isEnabled"`
	Settings   struct {
		RequiredReviewerIds []string `json:"requiredReviewerIds"`
		FilenamePatterns    []string `json:"filenamePatterns"`
		Message             string   `json:"message"`
	} `json:"settings"`
}

func (a *adoRun) policies() []adoPolicy {
	a.t.Helper()
	var s struct{ Policies []adoPolicy }
	data, err := os.ReadFile(a.state)
	if err != nil {
		a.t.Fatal(err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		a.t.Fatal(err)
	}
	return s.Policies
}

// filterMatches applies an Azure DevOps path filter to a path: ";"-separated
// patterns, "*" a wildcard, a pattern starting with "!" excludes (Azure Repos branch
// policies, "Path filters"). Only the forms the script writes are supported.
func filterMatches(t *testing.T, patterns []string, path string) bool {
	in := false
	for _, p := range patterns {
		exclude := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		prefix, ok := strings.CutSuffix(p, "*")
		if !ok || strings.ContainsAny(prefix, "*?") {
			t.Fatalf("unsupported path filter %q", p)
		}
		if strings.HasPrefix("/"+path, prefix) {
			if exclude {
				return false
			}
			in = true
		}
	}
	return in
}

// TestAzureDevOpsScriptConverges runs the generated script twice against a stub az:
// the first run creates one blocking policy per party on its own directories and one
// per party on everything else, naming e-mail addresses only; the second changes
// nothing. Removing a reviewer removes that party's stale policies and creates their
// replacements; a policy the script did not write is left alone; one of its own
// switched off by hand is replaced.
func TestAzureDevOpsScriptConverges(t *testing.T) {
	network := referenceNetwork(t)
	ado := newADO(t)
	if created := ado.run(network); len(created) != 2*len(network.Parties) {
		t.Fatalf("first run: %v", created)
	}
	if again := ado.run(network); len(again) != 0 {
		t.Fatalf("second run changed %v", again)
	}
	checkCoverage(t, network, ado.policies())

	// A hand-made policy, and one of the script's switched off.
	first := ado.policies()[0].ID
	raw, _ := json.Marshal(map[string]any{"next": 100, "policies": append(rawPolicies(t, ado), handPolicy(ado.repoID))})
	if err := os.WriteFile(ado.state, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	disable(t, ado, first)
	changed := ado.run(network)
	if len(changed) != 2 || !strings.HasPrefix(changed[0], "delete") || !strings.HasPrefix(changed[1], "create") {
		t.Errorf("switched-off policy: %v", changed)
	}

	// fabrikam removes a reviewer.
	party := network.Parties["fabrikam"]
	party.Reviewers = []string{"@bo-fabrikam", "ops2@fabrikam.example"}
	network.Parties["fabrikam"] = party
	changed = ado.run(network)
	if len(changed) != 4 {
		t.Errorf("a changed reviewer: %v, want 2 deleted and 2 created", changed)
	}
	for _, p := range ado.policies() {
		if slices.Contains(p.Settings.RequiredReviewerIds, "id-of-platform@fabrikam.example") {
			t.Errorf("removed reviewer still required by %q", p.Settings.Message)
		}
	}
	if again := ado.run(network); len(again) != 0 {
		t.Errorf("run after the change changed %v", again)
	}
	checkCoverage(t, network, ado.policies())
	if !slices.ContainsFunc(ado.policies(), func(p adoPolicy) bool { return p.Settings.Message == "release managers" }) {
		t.Error("the hand-made policy was deleted")
	}
}

func rawPolicies(t *testing.T, a *adoRun) []any {
	var s struct{ Policies []any }
	data, _ := os.ReadFile(a.state)
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return s.Policies
}

func handPolicy(repo string) map[string]any {
	return map[string]any{"id": 99, "isBlocking": true, "isEnabled": true,
		"type": map[string]any{"id": owners.RequiredReviewersType, "displayName": "Required reviewers"},
		"settings": map[string]any{"requiredReviewerIds": []string{"id-of-rm@contoso.example"}, "filenamePatterns": []string{"/*"},
			"message": "release managers", "scope": []any{map[string]any{"refName": "refs/heads/main", "repositoryId": repo, "matchKind": "Exact"}}}}
}

func disable(t *testing.T, a *adoRun, id int) {
	var s map[string]any
	data, _ := os.ReadFile(a.state)
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	for _, p := range s["policies"].([]any) {
		if m := p.(map[string]any); int(m["id"].(float64)) == id {
			m["isEnabled"] = false
		}
	}
	data, _ = json.Marshal(s)
	if err := os.WriteFile(a.state, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkCoverage: every shared path needs each party's e-mail reviewers, every own
// path only its party's; every policy is blocking and enabled.
func checkCoverage(t *testing.T, network *model.Network, policies []adoPolicy) {
	t.Helper()
	partyOf := map[string]string{}
	for _, p := range network.PartyNames() {
		for _, r := range network.Parties[p].Reviewers {
			partyOf["id-of-"+r] = p
		}
	}
	needs := func(path string) []string {
		var parties []string
		for _, p := range policies {
			if !strings.HasPrefix(p.Settings.Message, owners.MessagePrefix) {
				continue
			}
			if !p.IsBlocking || !p.IsEnabled {
				t.Errorf("policy %q not in force", p.Settings.Message)
			}
			if filterMatches(t, p.Settings.FilenamePatterns, path) {
				parties = append(parties, partyOf[p.Settings.RequiredReviewerIds[0]])
			}
		}
		slices.Sort(parties)
		return parties
	}
	for _, path := range sharedPaths {
		if got := needs(path); !slices.Equal(got, network.PartyNames()) {
			t.Errorf("%s needs %v, want every party", path, got)
		}
	}
	for path, party := range ownPaths(network) {
		if got := needs(path); !slices.Equal(got, []string{party}) {
			t.Errorf("%s needs %v, want only %s", path, got, party)
		}
	}
}
