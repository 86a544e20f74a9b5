// Package owners renders who must approve a change, from each party's reviewers in
// CUE, for every Git host flux-ledger targets:
//
//   - .github/CODEOWNERS, the first file GitHub reads (github.go), and a ruleset for
//     `gh api` requiring code-owner review and the flux-ledger check;
//   - CODEOWNERS at the root, the first file GitLab reads (gitlab.go): one section per
//     party over everything outside the parties' own directories, each needing one
//     approval, so a shared change needs every party;
//   - for Azure DevOps, which has no CODEOWNERS, a script converging the repository's
//     required-reviewer branch policies on this network (azuredevops.go).
//
// The repository is cluster-admin on every party's cluster, so ownership follows what
// each path reaches: parties/<party>/ and the entry points clusters/<cluster>/ of the
// party's clusters belong to that party; everything else — the network (cue/), the
// consortium's policies/, .sops.yaml, the code, the CI and these files — belongs to
// every party.
package owners

import (
	"fmt"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Paths of the rendered files, relative to the repository root.
const (
	GitHubPath      = ".github/CODEOWNERS"
	GitLabPath      = "CODEOWNERS"
	RulesetPath     = ".github/flux-ledger/ruleset.json"
	AzureDevOpsPath = ".azuredevops/required-reviewers.sh"
)

// Files are every path Render may write: the generator owns them.
var Files = []string{GitHubPath, GitLabPath, RulesetPath, AzureDevOpsPath}

// Read are the places a host reads code owners from, in its order of precedence; it
// uses the first file it finds:
//
//	GitHub: .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS (docs.github.com, "About
//	        code owners", CODEOWNERS file location)
//	GitLab: CODEOWNERS, docs/CODEOWNERS, .gitlab/CODEOWNERS (ee/lib/gitlab/code_owners.rb
//	        FILE_PATHS; docs.gitlab.com, "Code Owners")
//
// flux-ledger writes the first of each; a file at any other of these places is a
// stray that a host could read instead, should the generated one go (Strays).
var Read = []string{GitHubPath, GitLabPath, "docs/CODEOWNERS", ".gitlab/CODEOWNERS"}

// Shared are the paths (CODEOWNERS patterns, anchored at the root) named for every
// party besides the default "*": the ones whose owners matter most, spelled out.
var Shared = []string{"/cue/", "/policies/", "/.sops.yaml", "/" + GitLabPath, "/.github/", "/.azuredevops/"}

// Rule is one ownership line: a CODEOWNERS pattern and its owners.
type Rule struct {
	Pattern string
	Owners  []string
}

// everyone is the reviewers of every party, each once, in party order.
func everyone(network *model.Network) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range network.PartyNames() {
		for _, r := range network.Parties[p].Reviewers {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// Own are a party's own directories, as CODEOWNERS patterns: parties/<party>/ and the
// entry point of each of its clusters.
func Own(network *model.Network, party string) []string {
	own := []string{"/parties/" + party + "/"}
	for _, c := range network.ClustersOf(party) {
		own = append(own, "/clusters/"+c.Name+"/")
	}
	return own
}

// Rules are the ownership rules in CODEOWNERS order (the last matching rule wins): the
// default and the shared paths for every party's reviewers, then each party's own
// directories for that party's reviewers alone. A party without reviewers (possible
// only in a one-party network) gets no rule of its own.
func Rules(network *model.Network) []Rule {
	all := everyone(network)
	if len(all) == 0 {
		return nil
	}
	rules := []Rule{{"*", all}}
	for _, s := range Shared {
		rules = append(rules, Rule{s, all})
	}
	for _, p := range network.PartyNames() {
		reviewers := network.Parties[p].Reviewers
		if len(reviewers) == 0 {
			continue
		}
		for _, dir := range Own(network, p) {
			rules = append(rules, Rule{dir, reviewers})
		}
	}
	return rules
}

// Render renders the ownership files of every host; nothing when no party names
// reviewers. The reviewers must pass Check.
func Render(network *model.Network) (map[string][]byte, error) {
	if len(everyone(network)) == 0 {
		return nil, nil
	}
	if err := Check(network); err != nil {
		return nil, err
	}
	github, err := gitHub(network)
	if err != nil {
		return nil, err
	}
	ruleset, err := rulesetJSON(network)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{GitHubPath: github, GitLabPath: gitLab(network), RulesetPath: ruleset}
	if script := azureDevOps(network); script != nil {
		out[AzureDevOpsPath] = script
	}
	return out, nil
}

// Strays refuses a code-owners file at a place a host reads (Read) that the
// generator does not write: by the hosts' precedence it could decide who reviews
// instead of the generated one — now on another host, or on GitHub or GitLab the day
// the generated file goes — and generate --check would not notice it otherwise.
// rendered says whether generate writes a path; exists whether it is in the repository.
func Strays(rendered, exists func(p string) bool) error {
	for _, p := range Read {
		if exists(p) && !rendered(p) {
			return fmt.Errorf("%s: a code-owners file flux-ledger does not write; GitHub reads %s, CODEOWNERS or docs/CODEOWNERS and GitLab CODEOWNERS, docs/CODEOWNERS or .gitlab/CODEOWNERS, the first found, so this one could replace the reviewers cue/ names (parties.<party>.reviewers): remove it",
				p, GitHubPath)
		}
	}
	return nil
}
