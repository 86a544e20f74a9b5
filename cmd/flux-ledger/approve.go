package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/approval"
	"github.com/flux-ledger/flux-ledger/generator/gitops"
)

func newApproveCommand(opts *globalOptions) *cobra.Command {
	var party, base, head, format, key, program string
	cmd := &cobra.Command{
		Use:   "approve --party P [--base REV] [--head REV] [--format openpgp|ssh] [--key KEY]",
		Short: "Sign a party's approval of exactly one change, as a file to commit to the pull request",
		Example: `  flux-ledger approve --party contoso                      # OpenPGP, key from git config user.signingkey
  flux-ledger approve --party contoso --format ssh --key ~/.ssh/contoso-approvals
  git add approvals && git commit -m "approve: contoso"`,
		Long: `Record that party P approves the change from the base revision (default: the merge base
of HEAD with the default branch) to the head revision (default: HEAD), and nothing
else. The approval is a file, approvals/<party>-<digest>.approval, to commit to the
pull request: every Git host carries it, reviewers see it, and plan and audit read it
from history. It names the network, the party, the base tree and the head's tree, both
without approvals/ (so committing approvals does not change what they approve), and is
signed with one of the party's approvalKeys. A squash or rebase that produces the same
trees stays approved; any other change of the trees makes the approval stale.

Signing runs the program Git signs commits with, configured as for git commit -S:
gpg.format (openpgp or ssh), user.signingKey, gpg.program / gpg.openpgp.program,
gpg.ssh.program. --format, --key and --program override them.
  openpgp: gpg --detach-sign --armor [--local-user KEY]
  ssh:     ssh-keygen -Y sign -n approval@flux-ledger.dev -f KEY
With ssh, KEY is the private key file, or a public key file (or key::<public key>)
whose private half is in ssh-agent. flux-ledger never reads a private key: it hands
the statement to the program and checks the signature it gets back against P's
approvalKeys in the network at the base, refusing to write an approval that plan
would refuse.

The head must be committed: uncommitted changes under cue/, parties/, clusters/,
policies/ or .sops.yaml are refused (approve what reviewers see). Earlier approval
files of P that this change brought are removed: they approve an older head.

Then commit the file, push, and check with: flux-ledger plan --require-approvals`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, baseCommit, err := resolveBase(opts.repo, base)
			if err != nil {
				return err
			}
			headRev := head
			if headRev == "" {
				headRev = "HEAD"
			}
			headCommit, err := gitops.Resolve(repo, headRev)
			if err != nil {
				return err
			}
			if head == "" {
				dirty, err := gitops.ChangedPaths(headCommit, opts.repo)
				if err != nil {
					return err
				}
				if len(dirty) > 0 {
					return fmt.Errorf("%s has an uncommitted change (and %d more): approve what is committed (commit or stash it first)", dirty[0], len(dirty)-1)
				}
			}
			network, err := gitops.NetworkAt(baseCommit)
			if err != nil {
				return err
			}
			p, ok := network.Parties[party]
			switch {
			case !ok:
				return fmt.Errorf("--party %s: no such party in the network at base %s", party, baseCommit.Hash.String()[:12])
			case len(p.ApprovalKeys) == 0:
				return fmt.Errorf("--party %s: the party has no approvalKeys in the network at base %s: nothing could verify its approval", party, baseCommit.Hash.String()[:12])
			}
			s, err := gitops.ChangeStatement(baseCommit, headCommit, network)
			if err != nil {
				return err
			}
			s.Party = party
			signer := approval.GitSigner(opts.repo, approval.Signer{Format: format, Key: key, Program: program, Stderr: cmd.ErrOrStderr()})
			data, err := approval.Sign(cmd.Context(), s, signer)
			if err != nil {
				return err
			}
			if v := approval.Check(s.FileName(), data, s, network); !v.Valid() {
				return fmt.Errorf("the signature is not one plan accepts: %s", v.Problem)
			}
			removed, err := removeOwnApprovals(opts.repo, party, s.FileName(), baseCommit)
			if err != nil {
				return err
			}
			file := filepath.Join(opts.repo, filepath.FromSlash(s.FileName()))
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(file, data, 0o644); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "party %s approves base tree %s -> result tree %s (network %s)\n", party, s.BaseTree[:12], s.ResultTree[:12], s.Network)
			for _, r := range removed {
				fmt.Fprintf(out, "removed %s (an approval of an older head)\n", r)
			}
			fmt.Fprintf(out, "wrote %s: commit it to the pull request\n", s.FileName())
			return nil
		},
	}
	cmd.Flags().StringVar(&party, "party", "", "the approving party (required)")
	cmd.Flags().StringVar(&base, "base", "", "revision the change starts from (default: merge base with the default branch, else HEAD)")
	cmd.Flags().StringVar(&head, "head", "", "revision the change results in (default: HEAD, which must have no uncommitted network changes)")
	cmd.Flags().StringVar(&format, "format", "", "openpgp or ssh (default: git config gpg.format, else openpgp)")
	cmd.Flags().StringVar(&key, "key", "", "signing key: gpg --local-user for openpgp, key file for ssh (default: git config user.signingkey)")
	cmd.Flags().StringVar(&program, "program", "", "gpg or ssh-keygen to run (default: git config gpg.program / gpg.ssh.program)")
	_ = cmd.MarkFlagRequired("party")
	return cmd
}

// removeOwnApprovals deletes party's approval files in the working directory that
// the base does not hold, but keep: they approve an earlier head of the change.
func removeOwnApprovals(repo, party, keep string, base *object.Commit) ([]string, error) {
	atBase, err := gitops.ApprovalFilesAt(base)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(filepath.Join(repo, approval.Dir))
	if err != nil {
		return nil, nil // no approvals/ yet
	}
	var removed []string
	for _, e := range entries {
		name := approval.Dir + "/" + e.Name()
		if !e.Type().IsRegular() || name == keep || atBase[name] || path.Ext(name) != approval.Ext {
			continue
		}
		// By the party it names, not by its file name: party a's prefix "a-" is also
		// the start of party a-b's files.
		data, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(name)))
		if err != nil {
			continue
		}
		if f, err := approval.Parse(data); err != nil || f.Statement.Party != party {
			continue
		}
		if err := os.Remove(filepath.Join(repo, filepath.FromSlash(name))); err != nil {
			return nil, err
		}
		removed = append(removed, name)
	}
	return removed, nil
}
