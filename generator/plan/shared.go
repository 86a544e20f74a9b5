package plan

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// sharedSettings says in words what a change to a network-wide setting does: these
// settings act in every party's cluster at once, so plan names each change (not only
// the file counts) for every party to approve knowingly.
func (p *Plan) sharedSettings(base, head *model.Network) {
	say := func(format string, args ...any) {
		p.Consequences = append(p.Consequences, fmt.Sprintf(format, args...))
	}
	if b, h := base.Repository, head.Repository; b.URL != h.URL || b.Branch != h.Branch {
		say("repository changes from %s (branch %s) to %s (branch %s): every cluster's Flux re-points there and applies whatever that repository holds, so every party must trust its new host",
			b.URL, b.Branch, h.URL, h.Branch)
	}
	bc, hc := base.Compliance, head.Compliance
	if added, removed := setDiff(bc.AllowedRegistries, hc.AllowedRegistries); len(added)+len(removed) > 0 {
		say("allowed registries: %s — every cluster's admission policy changes which images any party may run", addedRemoved(added, removed))
	}
	if bc.RequireDigest != hc.RequireDigest {
		say("compliance.requireDigest becomes %t: %s", hc.RequireDigest, map[bool]string{true: "every image must be pinned by digest", false: "images may be pinned by tag, which a registry can move under a running network"}[hc.RequireDigest])
	}
	if added, removed := setDiff(bc.AllowedRegions, hc.AllowedRegions); len(added)+len(removed) > 0 {
		say("allowed regions: %s", addedRemoved(added, removed))
	}
	if bc.MaxValidatorSharePercent != hc.MaxValidatorSharePercent || bc.PartyValidatorLimit != hc.PartyValidatorLimit {
		say("validator share limit changes from %d %% (%s) to %d %% (%s): how many validators one party may hold, and so whether one party alone can stall or outvote the others",
			bc.MaxValidatorSharePercent, bc.PartyValidatorLimit, hc.MaxValidatorSharePercent, hc.PartyValidatorLimit)
	}
	if bc.Kyverno != hc.Kyverno {
		say("Kyverno install/chart changes (install %t, chart %s → install %t, chart %s): every cluster's policy engine is reinstalled or left to the party",
			bc.Kyverno.Install, bc.Kyverno.ChartVersion, hc.Kyverno.Install, hc.Kyverno.ChartVersion)
	}
	if fields := changedFields(base.Consensus, head.Consensus); len(fields) > 0 {
		say("consensus settings change (%s): every node runs them; on a launched Besu network they are frozen in the genesis config", strings.Join(fields, ", "))
	}
	if base.Governance.Method != head.Governance.Method && head.Governance.Method != "" {
		say("validator changes now go by %s instead of %s", head.Governance.Method, base.Governance.Method)
	}
	for _, name := range head.ClusterNames() {
		if c := head.Clusters[name]; c.AllowWorldOpen && !base.Clusters[name].AllowWorldOpen {
			say("cluster %s of party %s states allowWorldOpen: its egress CIDRs may be world-open, and every party's NetworkPolicies and load balancers then admit p2p connections from anywhere (%s)",
				name, c.Party, strings.Join(c.EgressCIDRs, ", "))
		}
	}
	p.reviewers(base, head)
	p.verification(base, head)
	for _, party := range slices.Sorted(maps.Keys(head.MSP)) {
		if was, ok := base.MSP[party]; ok && was != head.MSP[party] {
			say("party %s's MSP material (cue/msp/%s.cue) is replaced: its CA decides who acts as %s in every channel; only %s may make this change", party, party, party, party)
		}
	}
}

// reviewers names every change of a party's reviewers: they decide, with every other
// party's, who approves each shared change (CODEOWNERS, the Azure DevOps policies), so
// a change of anyone's reviewers is every party's to approve.
func (p *Plan) reviewers(base, head *model.Network) {
	names := map[string]bool{}
	for name := range base.Parties {
		names[name] = true
	}
	for name := range head.Parties {
		names[name] = true
	}
	for _, party := range slices.Sorted(maps.Keys(names)) {
		if added, removed := setDiff(base.Parties[party].Reviewers, head.Parties[party].Reviewers); len(added)+len(removed) > 0 {
			p.Consequences = append(p.Consequences, fmt.Sprintf("party %s's reviewers: %s — who approves %s's directories and, with every party, every shared change (CODEOWNERS, the Azure DevOps policies) changes",
				party, addedRemoved(added, removed), party))
		}
	}
}

// verification names a change of repository.verify, and says which clusters cannot
// verify: Arc's fluxConfiguration (Microsoft.KubernetesConfiguration
// fluxConfigurations, gitRepository: url, repositoryRef, localAuthRef, httpsUser,
// httpsCACert, sshKnownHosts, provider, intervals) has no signature verification, so an
// Arc cluster applies whatever the branch holds.
func (p *Plan) verification(base, head *model.Network) {
	var plain, arc, addedArc []string
	for _, name := range head.ClusterNames() {
		if head.Clusters[name].GitOps.Mode == model.ModeArc {
			arc = append(arc, name)
			if _, ok := base.Clusters[name]; !ok || base.Clusters[name].GitOps.Mode != model.ModeArc {
				addedArc = append(addedArc, name)
			}
		} else {
			plain = append(plain, name)
		}
	}
	unverified := func(clusters []string) string {
		return fmt.Sprintf("Arc clusters (%s) cannot verify: Arc's fluxConfiguration has no signature verification, so they apply whatever the branch holds", strings.Join(clusters, ", "))
	}
	switch {
	case head.Repository.Verify && !base.Repository.Verify:
		msg := fmt.Sprintf("repository.verify becomes true: plain-Flux clusters (%s) apply only a head commit signed by a key in their %s Secret — every merge must be signed",
			strings.Join(plain, ", "), "ledger-signing-keys")
		if len(arc) > 0 {
			msg += "; " + unverified(arc)
		}
		p.Consequences = append(p.Consequences, msg)
	case !head.Repository.Verify && base.Repository.Verify:
		p.Consequences = append(p.Consequences, "repository.verify becomes false: no cluster checks commit signatures any more; whoever can merge to the branch changes every cluster")
	case head.Repository.Verify && len(addedArc) > 0:
		p.Consequences = append(p.Consequences, "repository.verify is set, but "+unverified(addedArc))
	}
}

// ciFiles names a change to what every pull request must pass: the CI definitions.
func (p *Plan) ciFiles(paths []string) {
	var ci []string
	for _, f := range paths {
		if isCI(f) {
			ci = append(ci, f)
		}
	}
	if len(ci) > 0 {
		p.Consequences = append(p.Consequences, fmt.Sprintf("CI changes (%s): the checks every pull request must pass, for every party, change with it", strings.Join(ci, ", ")))
	}
}

// isCI is whether a path defines CI on a host flux-ledger generates for: GitHub
// Actions (.github/workflows/), Azure Pipelines (azure-pipelines.yml) or GitLab CI
// (.gitlab-ci.yml).
func isCI(f string) bool {
	return strings.HasPrefix(f, ".github/workflows/") || slices.Contains([]string{"azure-pipelines.yml", ".gitlab-ci.yml"}, path.Clean(f))
}

func setDiff(base, head []string) (added, removed []string) {
	for _, h := range head {
		if !slices.Contains(base, h) {
			added = append(added, h)
		}
	}
	for _, b := range base {
		if !slices.Contains(head, b) {
			removed = append(removed, b)
		}
	}
	return added, removed
}

func addedRemoved(added, removed []string) string {
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "adds "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		parts = append(parts, "removes "+strings.Join(removed, ", "))
	}
	return strings.Join(parts, " and ")
}
