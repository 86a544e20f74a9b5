package owners_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/owners"
)

// gitHubOwners evaluates a CODEOWNERS file for one path the way GitHub documents it
// (docs.github.com, "About code owners"): "#" starts a comment, the last matching
// line wins, a pattern starting with "/" is anchored at the root, one ending in "/"
// matches everything below that directory, "*" matches every file; "!" and "[ ]" do
// not work. Only the forms the renderer writes are supported; any other fails the test.
func gitHubOwners(t *testing.T, file, path string) []string {
	t.Helper()
	var owners []string
	for _, line := range strings.Split(file, "\n") {
		line, _, _ = strings.Cut(line, "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pattern := fields[0]
		var match bool
		switch {
		case strings.ContainsAny(pattern, "![]"):
			t.Fatalf("GitHub does not support %q", pattern)
		case pattern == "*":
			match = true
		case strings.HasPrefix(pattern, "/") && strings.HasSuffix(pattern, "/"):
			match = strings.HasPrefix("/"+path, pattern)
		case strings.HasPrefix(pattern, "/") && !strings.ContainsAny(pattern, "*?"):
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

// TestGitHubCodeOwnersGiveEachPathItsOwners: a party's directory and its clusters'
// entry points need that party's reviewers; every other path — CI, code, docs, the
// ownership files — the reviewers of every party.
func TestGitHubCodeOwnersGiveEachPathItsOwners(t *testing.T) {
	network := referenceNetwork(t)
	file := string(render(t, network)[owners.GitHubPath])
	var everyone []string
	for _, p := range network.PartyNames() {
		everyone = append(everyone, network.Parties[p].Reviewers...)
	}
	for _, path := range sharedPaths {
		if got := gitHubOwners(t, file, path); !slices.Equal(sorted(got), sorted(everyone)) {
			t.Errorf("%s owned by %v, want every party %v", path, got, everyone)
		}
	}
	for path, party := range ownPaths(network) {
		if got := gitHubOwners(t, file, path); !slices.Equal(got, network.Parties[party].Reviewers) {
			t.Errorf("%s owned by %v, want party %s's %v", path, got, party, network.Parties[party].Reviewers)
		}
	}
}

// A "#" in a reviewer would make the rest of its line a comment, leaving the path
// with fewer owners, or none (docs.github.com, "About code owners": lines starting
// with "#" are comments; the parser stops at "#"). The schema refuses it; so does Check,
// for a network built without the schema.
func TestGitHubHashInAReviewerIsRefused(t *testing.T) {
	network := referenceNetwork(t)
	party := network.Parties["contoso"]
	party.Reviewers = []string{"#ops@contoso.example", "@ana-contoso"}
	network.Parties["contoso"] = party
	if _, err := owners.Render(network); err == nil || !strings.Contains(err.Error(), "parties.contoso.reviewers") {
		t.Fatalf("err = %v", err)
	}
}

// GitHub ignores a CODEOWNERS file of 3 MB or more whole (docs.github.com, "About code
// owners", CODEOWNERS file size): every path would be left without owners.
func TestGitHubSizeLimitIsCheckedBeforeWriting(t *testing.T) {
	network := referenceNetwork(t)
	for i, name := range network.PartyNames() {
		party := network.Parties[name]
		party.Reviewers = nil
		for j := range 25_000 / len(network.Parties) {
			party.Reviewers = append(party.Reviewers, fmt.Sprintf("reviewer-%d-%d@%s.example", i, j, name))
		}
		network.Parties[name] = party
	}
	_, err := owners.Render(network)
	if err == nil || !strings.Contains(err.Error(), "3 MB") || !strings.HasPrefix(err.Error(), "parties.*.reviewers: .github/CODEOWNERS would be ") {
		t.Fatalf("err = %v", err)
	}
}

// A team is a code owner only on its own organisation's repositories (docs.github.com,
// "About code owners": the team must be visible and have write permission), so a team
// of another organisation than the repository's owner would review nothing.
func TestGitHubTeamsOnlyOfTheRepositorysOwner(t *testing.T) {
	network := referenceNetwork(t)
	network.Repository.URL = "https://github.com/tradenet/network.git"
	set := func(reviewers ...string) *model.Network {
		party := network.Parties["fabrikam"]
		party.Reviewers = reviewers
		network.Parties["fabrikam"] = party
		return network
	}
	if err := owners.Check(set("@tradenet/fabrikam-ops")); err != nil {
		t.Errorf("a team of the repository's owner: %v", err)
	}
	err := owners.Check(set("@fabrikam/platform"))
	if err == nil || !strings.Contains(err.Error(), `parties.fabrikam.reviewers: team @fabrikam/platform is of organisation fabrikam, but repository.url https://github.com/tradenet/network.git belongs to "tradenet"`) {
		t.Errorf("err = %v", err)
	}
}

// Azure DevOps names required reviewers by e-mail address only
// (learn.microsoft.com/cli/azure/repos/policy/required-reviewer, --required-reviewer-ids).
func TestAzureDevOpsPartyNeedsAnEmailReviewer(t *testing.T) {
	network := referenceNetwork(t)
	network.Repository.URL = "https://dev.azure.com/tradenet/ledger/_git/network"
	party := network.Parties["northwind"]
	party.Reviewers = []string{"@chen-northwind"}
	network.Parties["northwind"] = party
	if err := owners.Check(network); err == nil || !strings.HasPrefix(err.Error(), "parties.northwind.reviewers: repository.url is on Azure DevOps") {
		t.Errorf("err = %v", err)
	}
}

// The ruleset is what `gh api repos/OWNER/REPO/rulesets --input` posts. Field names
// and rule types are GitHub's REST API's ("Create a repository ruleset",
// docs.github.com/rest/repos/rules; the rule schemas repository-rule-pull-request and
// repository-rule-required-status-checks of github/rest-api-description).
func TestGitHubRulesetRequiresCodeOwnersAndTheCheck(t *testing.T) {
	network := referenceNetwork(t)
	var r struct {
		Name, Target, Enforcement string
		BypassActors              []any `json:"bypass_actors"`
		Conditions                struct {
			RefName struct{ Include, Exclude []string } `json:"ref_name"`
		}
		Rules []struct {
			Type       string
			Parameters map[string]any
		}
	}
	data := render(t, network)[owners.RulesetPath]
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&r); err != nil {
		t.Fatal(err)
	}
	if r.Target != "branch" || r.Enforcement != "active" || len(r.BypassActors) != 0 ||
		!slices.Equal(r.Conditions.RefName.Include, []string{"refs/heads/" + network.Repository.Branch}) {
		t.Errorf("ruleset %s", data)
	}
	known := map[string][]string{ // rule type → its parameters, as the API names them
		"deletion": nil, "non_fast_forward": nil, "required_signatures": nil,
		"pull_request": {"dismiss_stale_reviews_on_push", "require_code_owner_review", "require_last_push_approval",
			"required_approving_review_count", "required_review_thread_resolution"},
		"required_status_checks": {"required_status_checks", "strict_required_status_checks_policy"},
	}
	types := map[string]map[string]any{}
	for _, rule := range r.Rules {
		params, ok := known[rule.Type]
		if !ok {
			t.Errorf("rule type %q", rule.Type)
		}
		for k := range rule.Parameters {
			if !slices.Contains(params, k) {
				t.Errorf("rule %s: parameter %q", rule.Type, k)
			}
		}
		types[rule.Type] = rule.Parameters
	}
	if pr := types["pull_request"]; pr["require_code_owner_review"] != true || pr["dismiss_stale_reviews_on_push"] != true {
		t.Errorf("pull_request rule %v", pr)
	}
	checks, _ := types["required_status_checks"]["required_status_checks"].([]any)
	if len(checks) != 1 || checks[0].(map[string]any)["context"] != owners.StatusCheck {
		t.Errorf("status checks %v", checks)
	}
}
