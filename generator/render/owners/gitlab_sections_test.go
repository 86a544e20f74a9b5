package owners_test

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/render/owners"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

var sectionHeading = regexp.MustCompile(`^\[([^\]]+)\]\[([0-9]+)\]$`)

// gitLabApprovals evaluates a CODEOWNERS file for one path the way GitLab documents it
// (docs.gitlab.com, "Code Owners syntax": Sections, "Sections requiring multiple
// approvals", "Exclusion patterns"): "[name][N]" starts a section needing N approvals;
// every section with a match applies; within a section the last matching pattern
// wins, and an excluded path ("!pattern") is out of that section. It returns, per
// section that applies, its owners. Patterns as in gitHubOwners.
func gitLabApprovals(t *testing.T, file, path string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	section, excluded := "", map[string]bool{}
	match := func(pattern string) bool {
		switch {
		case pattern == "*":
			return true
		case strings.HasPrefix(pattern, "/") && strings.HasSuffix(pattern, "/"):
			return strings.HasPrefix("/"+path, pattern)
		case strings.HasPrefix(pattern, "/") && !strings.ContainsAny(pattern, "*?[]"):
			return "/"+path == pattern
		}
		t.Fatalf("unsupported CODEOWNERS pattern %q", pattern)
		return false
	}
	for _, line := range strings.Split(file, "\n") {
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		if m := sectionHeading.FindStringSubmatch(line); m != nil {
			if m[2] != "1" {
				t.Fatalf("section %s needs %s approvals, want 1", m[1], m[2])
			}
			section = m[1]
			continue
		}
		if section == "" {
			t.Fatalf("rule outside a section: %q", line)
		}
		fields := strings.Fields(line)
		if pattern, ok := strings.CutPrefix(fields[0], "!"); ok {
			if len(fields) != 1 {
				t.Fatalf("exclusion with owners: %q", line)
			}
			if match(pattern) {
				excluded[section] = true
				delete(out, section)
			}
			continue
		}
		if match(fields[0]) && !excluded[section] {
			out[section] = fields[1:]
		}
	}
	return out
}

// TestGitLabSectionsMakeEveryPartyApproveSharedChanges: on GitLab a shared path
// matches one section per party, each needing one approval of that party's reviewers;
// a party's own path only the party-directories section, with that party's reviewers.
func TestGitLabSectionsMakeEveryPartyApproveSharedChanges(t *testing.T) {
	network := referenceNetwork(t)
	file := string(render(t, network)[owners.GitLabPath])
	for _, path := range sharedPaths {
		got := gitLabApprovals(t, file, path)
		if path == "parties/contoso-two/x.yaml" { // a directory of no party: any one party
			if len(got) != 1 || len(got["party directories"]) == 0 {
				t.Errorf("%s needs %v", path, got)
			}
			continue
		}
		if !slices.Equal(slices.Sorted(maps.Keys(got)), network.PartyNames()) {
			t.Errorf("%s needs sections %v, want one per party %v", path, slices.Sorted(maps.Keys(got)), network.PartyNames())
		}
		for party, reviewers := range got {
			if !slices.Equal(reviewers, network.Parties[party].Reviewers) {
				t.Errorf("%s: section %s owned by %v", path, party, reviewers)
			}
		}
	}
	for path, party := range ownPaths(network) {
		got := gitLabApprovals(t, file, path)
		if len(got) != 1 || !slices.Equal(got["party directories"], network.Parties[party].Reviewers) {
			t.Errorf("%s needs %v, want only party %s", path, got, party)
		}
	}
}

// Each host reads the first code-owners file in its own order (GitHub: .github/,
// root, docs/ — docs.github.com, "About code owners", CODEOWNERS file location;
// GitLab: root, docs/, .gitlab/ — ee/lib/gitlab/code_owners.rb FILE_PATHS): the
// GitHub file is the first GitHub reads, the GitLab file the first GitLab reads, and
// every other place either host reads is refused as a stray.
func TestEachHostReadsItsOwnFile(t *testing.T) {
	github := []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}
	gitlab := []string{"CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"}
	if github[0] != owners.GitHubPath || gitlab[0] != owners.GitLabPath {
		t.Errorf("GitHub reads %s first, GitLab %s", github[0], gitlab[0])
	}
	for _, p := range append(github, gitlab...) {
		if !slices.Contains(owners.Read, p) {
			t.Errorf("%s is read by a host but not watched for strays", p)
		}
	}
	// The GitLab file carries sections, which GitHub does not parse: GitHub must never
	// fall back to it while the GitHub file exists, which its precedence guarantees.
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "generator", "scaffold", "templates", "github-network.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "\n    name: "+owners.StatusCheck+"\n") {
		t.Errorf("the GitHub workflow's job is not named %s, the check the ruleset requires", owners.StatusCheck)
	}
}
