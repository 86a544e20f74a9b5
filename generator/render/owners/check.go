package owners

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Host is the Git host a repository URL points at, as far as reviewers go.
type Host string

const (
	GitHub      Host = "GitHub"
	GitLab      Host = "GitLab"
	AzureDevOps Host = "Azure DevOps"
	OtherHost   Host = ""
)

// HostOf tells the host from the repository URL: github.com, a gitlab host, or
// dev.azure.com / *.visualstudio.com; anything else (an enterprise server under its
// own name) is OtherHost, for which only the rules common to every host apply.
func HostOf(repository string) Host {
	u, err := url.Parse(repository)
	if err != nil {
		return OtherHost
	}
	h := strings.ToLower(u.Hostname())
	switch {
	case h == "github.com":
		return GitHub
	case h == "gitlab.com" || strings.HasPrefix(h, "gitlab."):
		return GitLab
	case h == "dev.azure.com" || strings.HasSuffix(h, ".visualstudio.com") || strings.HasSuffix(h, ".dev.azure.com"):
		return AzureDevOps
	}
	return OtherHost
}

// ownerOf is the organisation (GitHub) or top-level group (GitLab) owning the
// repository: the URL's first path segment; "" when there is none.
func ownerOf(repository string) string {
	u, err := url.Parse(repository)
	if err != nil {
		return ""
	}
	owner, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	return owner
}

// Check refuses reviewers a host would silently ignore, leaving a line of CODEOWNERS
// (or a party's policy) without owners — a path nobody need review:
//
//   - a team handle @org/team of any organisation but the repository's owner: GitHub
//     accepts as code owners only teams of the repository's organisation with write
//     access (docs.github.com, "About code owners"), and one repository has one owner,
//     so the teams of several parties' organisations cannot all be valid on it. Name
//     people (@user) or e-mail addresses, or teams the repository's owner created;
//   - on Azure DevOps, a party without an e-mail address: required-reviewer policies
//     take e-mail addresses only (az repos policy required-reviewer create
//     --required-reviewer-ids).
//
// A reviewer with "#" (the rest of a CODEOWNERS line becomes a comment) is refused
// by the schema already (#Reviewer).
func Check(network *model.Network) error {
	host, owner := HostOf(network.Repository.URL), ownerOf(network.Repository.URL)
	for _, p := range network.PartyNames() {
		reviewers := network.Parties[p].Reviewers
		for _, r := range reviewers {
			if strings.ContainsAny(r, "# \t") {
				return fmt.Errorf("parties.%s.reviewers: %q: a CODEOWNERS line ends at '#' or breaks at a space, leaving the path without this owner", p, r)
			}
			org, _, team := strings.Cut(strings.TrimPrefix(r, "@"), "/")
			if !strings.HasPrefix(r, "@") || !team {
				continue
			}
			if owner == "" || !strings.EqualFold(org, owner) {
				return fmt.Errorf("parties.%s.reviewers: team %s is of organisation %s, but repository.url %s belongs to %q: a host accepts as code owners only teams of the repository's owner, so this one would review nothing; name people (@user) or e-mail addresses",
					p, r, org, network.Repository.URL, owner)
			}
		}
		if host == AzureDevOps && len(reviewers) > 0 && len(emails(reviewers)) == 0 {
			return fmt.Errorf("parties.%s.reviewers: repository.url is on Azure DevOps, whose required-reviewer policies take e-mail addresses only (az repos policy required-reviewer create --required-reviewer-ids): name at least one", p)
		}
	}
	return nil
}

// emails keeps the reviewers Azure DevOps can name: e-mail addresses.
func emails(reviewers []string) []string {
	var out []string
	for _, r := range reviewers {
		if !strings.HasPrefix(r, "@") {
			out = append(out, r)
		}
	}
	return out
}
