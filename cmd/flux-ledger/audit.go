package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/gitops"
)

func newAuditCommand(opts *globalOptions) *cobra.Command {
	var party, since, output, keyring string
	var verify bool
	cmd := &cobra.Command{
		Use:   "audit [--party P] [--since DATE] [--output json] [--verify-signatures --keyring FILE]",
		Short: "List who changed the topology, when, and what, from the Git history",
		Long: `Walk the history from HEAD and list every topology change: generated commits by their
trailers (Parties-Changed, Network-Digest), hand-made commits by comparing the network
in cue/ before and after. --verify-signatures marks unsigned commits and checks signed
ones against the armored OpenPGP public keys in --keyring.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, err := gitops.Open(opts.repo)
			if err != nil {
				return err
			}
			audit := gitops.AuditOptions{Party: party, VerifySignatures: verify}
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
			out := cmd.OutOrStdout()
			if output == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if entries == nil {
					entries = []gitops.Entry{}
				}
				return enc.Encode(entries)
			}
			if output != "text" {
				return fmt.Errorf("--output %q: want text or json", output)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			header := "DATE\tCOMMIT\tAUTHOR\tPARTIES\tSUMMARY"
			if verify {
				header += "\tSIGNATURE"
			}
			fmt.Fprintln(tw, header)
			for _, e := range entries {
				line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s", e.Date.Format(time.DateTime), e.Commit[:12], e.Author, strings.Join(e.Parties, ","), e.Summary)
				if verify {
					line += "\t" + e.Signature
				}
				fmt.Fprintln(tw, line)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&party, "party", "", "only changes that touch this party")
	cmd.Flags().StringVar(&since, "since", "", "only changes from this date on (YYYY-MM-DD)")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	cmd.Flags().BoolVar(&verify, "verify-signatures", false, "mark unsigned and badly signed commits")
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
