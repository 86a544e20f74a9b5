package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5"
	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/gitops"
	"github.com/flux-ledger/flux-ledger/generator/terminal"
)

func newAuditCommand(opts *globalOptions) *cobra.Command {
	var party, since, output, keyring string
	var verify, require bool
	cmd := &cobra.Command{
		Use:   "audit [--party P] [--since DATE] [--output json] [--verify-signatures --keyring FILE]",
		Short: "List who changed the topology, when, and what, from the Git history",
		Example: `  flux-ledger audit
  flux-ledger audit --party contoso --since 2026-01-01
  flux-ledger audit --require-signatures --keyring consortium.asc -o json`,
		Long: `Walk the history from HEAD and list every topology change: generated commits by their
trailers (Parties-Changed, Network-Digest), hand-made commits by comparing the network
in cue/ before and after. The parties of a commit come from what it changed (its tree
diff), never from its message; a generated commit whose Parties-Changed trailer
disagrees with its diff is flagged. A commit that cannot be read is listed with its
problem and the audit goes on.

--since filters without stopping the walk: a commit counts as no older than its
newest ancestor, so a back-dated commit cannot hide itself or the history behind it.
A commit whose author or committer date is before its parent's is flagged.

APPROVED BY lists, for a commit that brings approval files (approvals/, see
flux-ledger approve) — a squash merge or a merge commit of an approved pull request —
each party that approved the change from the commit's parent to the commit, with the
fingerprint of its key, verified with the approval keys of the network at the parent;
an approval file that does not verify is shown as REFUSED with its reason.

--verify-signatures marks unsigned commits and checks signed ones against the armored
OpenPGP public keys in --keyring. --require-signatures does the same and exits 3 when
any listed commit is unsigned or not signed by a key of the keyring.

Exit codes: 0 listed; 1 error (bad flags, unreadable keyring, no repository);
3 with --require-signatures, some commit not signed by the keyring.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, err := gitops.Open(opts.repo)
			if err != nil {
				return err
			}
			if require && keyring == "" {
				return fmt.Errorf("--require-signatures needs --keyring FILE (the armored public keys allowed to sign)")
			}
			audit := gitops.AuditOptions{Party: party, VerifySignatures: verify || require}
			if since != "" {
				if audit.Since, err = time.Parse(time.DateOnly, since); err != nil {
					return fmt.Errorf("--since %q: want a date like 2026-01-31", since)
				}
			}
			if keyring != "" {
				if audit.Keyring, err = readKeyring(keyring); err != nil {
					return err
				}
			}
			entries, err := gitops.Audit(repo, audit)
			if err != nil {
				return err
			}
			if party != "" && len(entries) == 0 {
				if err := knownParty(repo, audit, party); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			if output == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if entries == nil {
					entries = []gitops.Entry{}
				}
				if err := enc.Encode(entries); err != nil {
					return err
				}
				return unsigned(entries, require)
			}
			if output != "text" {
				return fmt.Errorf("--output %q: want text or json", output)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			header := "DATE\tCOMMIT\tAUTHOR\tPARTIES\tSUMMARY"
			if verify || require {
				header += "\tSIGNATURE"
			}
			approvals := false
			for _, e := range entries {
				approvals = approvals || len(e.Approvals) > 0
			}
			if approvals {
				header += "\tAPPROVED BY"
			}
			fmt.Fprintln(tw, header)
			for _, e := range entries {
				summary := e.Summary
				if e.Problem != "" {
					summary += " [SKIPPED: " + e.Problem + "]"
				}
				if e.Warning != "" {
					summary += " [WARNING: " + e.Warning + "]"
				}
				if e.DatedBeforeParent != "" {
					summary += " [DATED BEFORE PARENT: " + e.DatedBeforeParent + "]"
				}
				// Author, message and trailers are whatever the committer wrote: escaped, so
				// they cannot redraw a row (or its signature column) on the terminal.
				line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s", e.Date.Format(time.DateTime), e.Commit[:12], terminal.Printable(e.Author), strings.Join(e.Parties, ","), terminal.Printable(summary))
				if verify || require {
					line += "\t" + terminal.Printable(e.Signature)
				}
				if by := approvedBy(e); approvals && by != "" {
					line += "\t" + terminal.Printable(by)
				}
				fmt.Fprintln(tw, line)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			return unsigned(entries, require)
		},
	}
	cmd.Flags().StringVar(&party, "party", "", "only changes that touch this party")
	cmd.Flags().StringVar(&since, "since", "", "only changes from this date on (YYYY-MM-DD)")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	cmd.Flags().BoolVar(&verify, "verify-signatures", false, "mark unsigned and badly signed commits")
	cmd.Flags().BoolVar(&require, "require-signatures", false, "like --verify-signatures, and exit 3 if any listed commit is not signed by a key of --keyring")
	cmd.Flags().StringVar(&keyring, "keyring", "", "armored OpenPGP public keys trusted to sign (with --verify-signatures)")
	return cmd
}

// readKeyring reads a file of armored OpenPGP public keys and refuses anything else:
// a wrong file would otherwise make every signature "bad" or, worse, be ignored.
func readKeyring(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("--keyring: %w", err)
	}
	keys, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
	if err != nil || len(keys) == 0 {
		return "", fmt.Errorf("--keyring %s: not an armored OpenPGP public keyring", file)
	}
	return string(data), nil
}

// unsigned is the exit status of --require-signatures: exit 3 when some listed commit
// is not signed by a key of the keyring.
func unsigned(entries []gitops.Entry, require bool) error {
	if !require {
		return nil
	}
	n := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Signature, "good") {
			n++
		}
	}
	if n > 0 {
		return &exitError{code: 3, err: fmt.Errorf("%d of %d commits are not signed by a key of the keyring", n, len(entries))}
	}
	return nil
}

// approvedBy is the APPROVED BY column: "party key" for each valid approval, then
// each refused file with its reason.
func approvedBy(e gitops.Entry) string {
	var good, bad []string
	for _, v := range e.Approvals {
		if v.Valid() {
			good = append(good, v.Party+" "+v.Key)
		} else {
			bad = append(bad, "REFUSED "+v.File+": "+v.Problem)
		}
	}
	return strings.Join(append(good, bad...), "; ")
}

// knownParty tells a --party that no change in the history ever touched (a typo, most
// likely) from one whose changes are outside --since: an empty table would say
// "nothing happened" in both cases.
func knownParty(repo *git.Repository, audit gitops.AuditOptions, party string) error {
	audit.Party, audit.Since = "", time.Time{}
	all, err := gitops.Audit(repo, audit)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, e := range all {
		for _, p := range e.Parties {
			seen[p] = true
		}
	}
	if seen[party] {
		return nil
	}
	return fmt.Errorf("--party %q: no change in the history touches a party of that name (parties: %s)", party, strings.Join(slices.Sorted(maps.Keys(seen)), ", "))
}
