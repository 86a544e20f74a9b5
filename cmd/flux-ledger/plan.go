package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/gitops"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/plan"
)

func newPlanCommand(opts *globalOptions) *cobra.Command {
	var base, output string
	var requireSignatures, requireApprovals bool
	var keyrings []string
	cmd := &cobra.Command{
		Use:   "plan [--base REV] [--output text|markdown|json]",
		Short: "Summarise what a topology change does, for its reviewers",
		Example: `  flux-ledger plan
  flux-ledger plan --base main --output markdown > plan.md
  flux-ledger plan --require-signatures --keyring contoso=keyrings/contoso.asc --require-approvals`,
		Long: `Compare the network at a base revision (default: the merge base of HEAD with the
default branch, else HEAD) with the working tree: parties, clusters and nodes added,
removed or changed (which fields), generated files changed per directory, and the
consequences — genesis changes, validator votes, peer lists, secrets to re-encrypt.
A change the network refuses (a genesis change once launched, a node without identity)
is listed under REFUSED and exits 1. --output markdown is a pull-request comment: when
the topology changes it carries a Mermaid diagram of the network after the change, the
added, changed and removed parties, clusters and nodes highlighted (above 12 parties,
only the parties the change touches). --output json is the stable schema documented
in flux-ledger's docs/reviewers.md.

"Approvals needed" lists every party that owns a path the change touches:
parties/<p>/ and the clusters of p → p; cue/identities/<node> → the node's owner;
approval files (approvals/) → nobody; every other path (the rest of cue/, policies/,
.sops.yaml, code-owner and CI files, channel updates, code and docs) → every party. A
replaced node key is a change of its node, attributed to the node's owner.

With --require-signatures, every commit since the base (first parents) that changes
a party's own things must be signed by a key of that party (--keyring PARTY=FILE,
armored OpenPGP public keys, repeatable); otherwise the change is refused, one line per
field. A party's own things are found by meaning, comparing the network before and
after each commit wherever in cue/ the change is written: its nodes' identities, its
MSP material, its entry in parties (recipients, reviewers, …), its clusters, every
field, and its nodes moved to another party; and by path: its sealed keys, its nodes' cue/identities files, and any file
under parties/<p>/ or its clusters' clusters/<c>/ that generate would not write as it
is (always flux-system/gotk-*.yaml, which flux bootstrap writes). An uncommitted
change of any of them is refused too: it carries no signature.

With --require-approvals, every party under "Approvals needed" must have approved
this exact change (flux-ledger approve): a file approvals/<party>-<digest>.approval
that HEAD brings against the base, signed by one of the party's approvalKeys in the
network at the base, naming the base tree and HEAD's tree (both without approvals/).
Each missing approval is refused, and so is each approval file that is forged (not by
a key of its party), stale (another result tree) or replayed (another base or
network), one line each with the reason. Uncommitted changes are refused: no approval
covers them. A party without approval keys at base cannot approve; a change giving
it keys is approved by the other parties (when none has keys, it is the founding
change).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, commit, err := resolveBase(opts.repo, base)
			if err != nil {
				return err
			}
			baseResult, err := gitops.LoadAt(commit)
			if err != nil {
				return err
			}
			before := baseResult.Network
			label := commit.Hash.String()[:12]
			if base != "" {
				label = base + " (" + label + ")"
			}
			// The head is evaluated with the binary's schema even when its copy
			// differs: the difference is a refusal in the plan, not a missing plan.
			dir := filepath.Join(opts.repo, "cue")
			after, err := load.Load(dir, load.Options{AllowDrift: true})
			if err != nil {
				schema, serr := load.SchemaOf(dir)
				if serr != nil || (len(schema.Drift) == 0 && !schema.FromRepo) {
					return err
				}
				return writePlan(cmd, plan.Unevaluated(label, schema, err), output)
			}
			p, err := plan.Compute(label, before, after.Network)
			if err != nil {
				return err
			}
			p.AddSchema(baseResult.Schema, after.Schema)
			paths, err := gitops.ChangedPaths(commit, opts.repo)
			if err != nil {
				return err
			}
			p.AddApprovals(paths, before, after.Network)
			if requireSignatures {
				rings, err := partyKeyrings(keyrings)
				if err != nil {
					return err
				}
				head, err := gitops.Resolve(repo, "HEAD")
				if err != nil {
					return err
				}
				refused, err := gitops.OwnerSignatures(repo, commit, head, rings, after.Network, before)
				if err != nil {
					return err
				}
				// Uncommitted changes are those against HEAD, not against the base.
				uncommitted, err := gitops.ChangedPaths(head, opts.repo)
				if err != nil {
					return err
				}
				refused = append(refused, gitops.UncommittedOwned(head, opts.repo, uncommitted, after.Network, before)...)
				p.Refused = append(p.Refused, refused...)
			}
			if requireApprovals {
				head, err := gitops.Resolve(repo, "HEAD")
				if err != nil {
					return err
				}
				verdicts, err := gitops.Approvals(commit, head, before)
				if err != nil {
					return err
				}
				p.RequireApprovals(verdicts, before, after.Network)
				uncommitted, err := gitops.ChangedPaths(head, opts.repo)
				if err != nil {
					return err
				}
				for _, f := range uncommitted {
					p.Refused = append(p.Refused, fmt.Sprintf("%s has an uncommitted change, which no approval covers: commit it", f))
				}
				pending, err := gitops.UncommittedApprovals(head, opts.repo)
				if err != nil {
					return err
				}
				for _, f := range pending {
					p.Refused = append(p.Refused, fmt.Sprintf("%s is not committed: approvals are read from commits, commit it", f))
				}
			}
			return writePlan(cmd, p, output)
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "revision to compare with (default: merge base with the default branch, else HEAD)")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text, markdown or json")
	cmd.Flags().BoolVar(&requireSignatures, "require-signatures", false, "refuse changes to a party's own things (identities, MSP, recipients, reviewers, clusters) not signed by that party")
	cmd.Flags().BoolVar(&requireApprovals, "require-approvals", false, "refuse the change until every party in \"Approvals needed\" has a valid signed approval of it (flux-ledger approve)")
	cmd.Flags().StringArrayVar(&keyrings, "keyring", nil, "PARTY=FILE: the party's armored OpenPGP public keys (with --require-signatures, repeatable)")
	return cmd
}

// partyKeyrings reads --keyring PARTY=FILE flags, each a valid keyring.
func partyKeyrings(flags []string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range flags {
		party, file, ok := strings.Cut(f, "=")
		if !ok || party == "" || file == "" {
			return nil, fmt.Errorf("--keyring %q: want PARTY=FILE", f)
		}
		ring, err := readKeyring(file)
		if err != nil {
			return nil, err
		}
		out[party] = ring
	}
	return out, nil
}

// writePlan prints the plan in the chosen format; a plan with refusals exits 1.
func writePlan(cmd *cobra.Command, p *plan.Plan, output string) error {
	out := cmd.OutOrStdout()
	switch output {
	case "text":
		p.Text(out)
	case "markdown":
		p.Markdown(out)
	case "json":
		if err := p.JSON(out); err != nil {
			return err
		}
	default:
		return fmt.Errorf("--output %q: want text, markdown or json", output)
	}
	if len(p.Refused) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("the change is refused (%d reasons)", len(p.Refused))}
	}
	return nil
}

// resolveBase opens the repository and finds the revision a change is compared with:
// base when given, else the merge base with the default branch (else HEAD).
func resolveBase(dir, base string) (*git.Repository, *object.Commit, error) {
	repo, err := gitops.Open(dir)
	if err != nil {
		return nil, nil, err
	}
	commit, err := gitops.DefaultBase(repo)
	if base != "" {
		commit, err = gitops.Resolve(repo, base)
	}
	return repo, commit, err
}
