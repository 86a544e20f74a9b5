package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/secrets"
)

func newKeysCommand(opts *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Create, re-encrypt, verify and renew node identities",
		Long: `On Besu, node identities are secp256k1 keypairs. The public half (address, enode
public key) is written to cue/identities/<node>.cue; the private half is a Kubernetes
Secret under parties/<party>/secrets/, SOPS-encrypted in memory to the party's age
recipients only.

On Fabric, each party has a CA and a TLS CA (public certificates and its admin's in
cue/msp/<party>.cue, keys sealed in parties/<party>/secrets/msp-ca.yaml and
msp-admin.yaml), and each node a signing and a TLS certificate from them (public in
cue/identities/<node>.cue, keys sealed in parties/<party>/secrets/<node>-nodekey.yaml).`,
	}
	cmd.AddCommand(newKeysInitCommand(opts), newKeysRewrapCommand(opts), newKeysVerifyCommand(opts), newKeysRenewCommand(opts), newKeysAgeKeyCommand())
	return cmd
}

func newKeysInitCommand(opts *globalOptions) *cobra.Command {
	var init keys.InitOptions
	var identityFile string
	cmd := &cobra.Command{
		Use:   "init (--party PARTY | --all) [--identity FILE]",
		Short: "Create identities for the party's nodes that have none",
		Long: `Create an identity for every node of the party that has none. Existing identities
are never overwritten; --rotate NODE replaces one deliberately (a rotated validator
changes the validator set). Also writes .sops.yaml.

On Fabric, a party without cue/msp/<party>.cue first gets its CA, TLS CA and admin.
Issuing certificates from a party's existing CA needs its CA keys: pass the party's
age identity with --identity FILE (or set SOPS_AGE_KEY_FILE). CAs are valid for ten
years, node and admin certificates for one; renew them with keys renew.`,
		Example: `  flux-ledger keys init --party contoso
  flux-ledger keys init --party contoso --rotate contoso-rpc-1
  # Fabric: a node added to a party whose CA exists
  flux-ledger keys init --party contoso --identity ~/.config/sops/age/contoso.agekey`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ids, err := optionalIdentities(cmd.ErrOrStderr(), identityFile)
			if err != nil {
				return err
			}
			init.Identities = ids
			result, err := keys.Init(opts.repo, init)
			if err != nil {
				return err
			}
			return printWritten(cmd.OutOrStdout(), result)
		},
	}
	cmd.Flags().StringVar(&init.Party, "party", "", "party whose nodes get identities")
	cmd.Flags().BoolVar(&init.All, "all", false, "create missing identities of every party")
	cmd.Flags().StringSliceVar(&init.Rotate, "rotate", nil, "node whose identity is replaced (repeatable)")
	cmd.Flags().StringVar(&identityFile, "identity", "", "the party's age identity file, to issue from its existing Fabric CA (default $SOPS_AGE_KEY_FILE)")
	cmd.MarkFlagsOneRequired("party", "all")
	cmd.MarkFlagsMutuallyExclusive("party", "all")
	return cmd
}

func newKeysRewrapCommand(opts *globalOptions) *cobra.Command {
	var party, identityFile string
	cmd := &cobra.Command{
		Use:     "rewrap --party PARTY [--identity FILE]",
		Short:   "Re-encrypt the party's secrets to its current recipient list",
		Example: `  flux-ledger keys rewrap --party contoso --identity contoso.agekey`,
		Long: `After a party's recipients change in cue/network.cue, re-encrypt its secrets to the new
list. This needs the age identity of a current recipient: --identity FILE, or the file
named by SOPS_AGE_KEY_FILE. Secrets already sealed to the right list are not touched.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ids, err := loadIdentities(identityFile)
			if err != nil {
				return err
			}
			result, err := keys.Rewrap(opts.repo, keys.RewrapOptions{Party: party, Identities: ids})
			if err != nil {
				return err
			}
			return printWritten(cmd.OutOrStdout(), result)
		},
	}
	cmd.Flags().StringVar(&party, "party", "", "party whose secrets are re-encrypted (required)")
	cmd.Flags().StringVar(&identityFile, "identity", "", "age identity file of a current recipient (default $SOPS_AGE_KEY_FILE)")
	_ = cmd.MarkFlagRequired("party")
	return cmd
}

func newKeysVerifyCommand(opts *globalOptions) *cobra.Command {
	var party, identityFile string
	cmd := &cobra.Command{
		Use:     "verify --party PARTY [--identity FILE]",
		Short:   "Check that the party's sealed keys match their public identities",
		Example: `  flux-ledger keys verify --party contoso --identity contoso.agekey`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ids, err := loadIdentities(identityFile)
			if err != nil {
				return err
			}
			if err := keys.Verify(opts.repo, keys.VerifyOptions{Party: party, Identities: ids}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "party %s: every node key matches its public identity\n", party)
			return nil
		},
	}
	cmd.Flags().StringVar(&party, "party", "", "party whose keys are verified (required)")
	cmd.Flags().StringVar(&identityFile, "identity", "", "the party's age identity file (default $SOPS_AGE_KEY_FILE)")
	_ = cmd.MarkFlagRequired("party")
	return cmd
}

func newKeysRenewCommand(opts *globalOptions) *cobra.Command {
	var renew keys.RenewOptions
	var identityFile string
	within := days(keys.DefaultRenewWithin)
	cmd := &cobra.Command{
		Use:   "renew --party PARTY [--within DURATION] [--rekey NODE...] [--identity FILE]",
		Short: "Re-issue the Fabric party's certificates that expire soon",
		Long: `Re-issue every certificate of a Fabric party that expires within the window (30 days
unless --within says otherwise): its nodes' signing and TLS certificates, its admin's,
and its CA and TLS CA certificates. A renewed certificate keeps its key, subject and
names, so nothing sealed changes and only cue/msp/<party>.cue and cue/identities/ are
rewritten; a renewed CA keeps its key and start, so every certificate it issued still
validates. --rekey NODE also gives the node new keys, sealed anew.

This needs the party's CA keys: its age identity, --identity FILE or the file named by
SOPS_AGE_KEY_FILE. Nothing is written unless every renewal succeeded.`,
		Example: `  flux-ledger keys renew --party contoso --identity contoso.agekey
  flux-ledger keys renew --party contoso --within 90d
  flux-ledger keys renew --party contoso --rekey contoso-peer-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ids, err := loadIdentities(identityFile)
			if err != nil {
				return err
			}
			renew.Identities, renew.Within = ids, time.Duration(within)
			result, err := keys.Renew(opts.repo, renew)
			if err != nil {
				return err
			}
			return printWritten(cmd.OutOrStdout(), result)
		},
	}
	cmd.Flags().StringVar(&renew.Party, "party", "", "party whose certificates are renewed (required)")
	cmd.Flags().Var(&within, "within", "renew what expires within this window: a Go duration (720h) or days (30d)")
	cmd.Flags().StringSliceVar(&renew.Rekey, "rekey", nil, "node that also gets new keys (repeatable)")
	cmd.Flags().StringVar(&identityFile, "identity", "", "the party's age identity file (default $SOPS_AGE_KEY_FILE)")
	_ = cmd.MarkFlagRequired("party")
	return cmd
}

// days is a duration flag that also takes whole days ("30d"), the unit certificate
// lifetimes are thought in.
type days time.Duration

func (d *days) String() string {
	if v := time.Duration(*d); v%(24*time.Hour) == 0 {
		return strconv.Itoa(int(v/(24*time.Hour))) + "d"
	}
	return time.Duration(*d).String()
}

func (d *days) Set(s string) error {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		v, err := strconv.Atoi(n)
		if err != nil || v < 0 {
			return fmt.Errorf("%q is not a number of days", s)
		}
		*d = days(time.Duration(v) * 24 * time.Hour)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if v < 0 {
		return fmt.Errorf("%q is negative", s)
	}
	*d = days(v)
	return nil
}

func (d *days) Type() string { return "duration" }

// optionalIdentities reads the age identities of a command that needs them only
// sometimes (keys init: issuing from an existing Fabric CA). A file named by the flag
// must be readable; one named by SOPS_AGE_KEY_FILE only draws a note when it is not,
// so a command that needs no identity runs as it would without the variable.
func optionalIdentities(stderr io.Writer, file string) ([]age.Identity, error) {
	if file != "" {
		return loadIdentities(file)
	}
	if os.Getenv("SOPS_AGE_KEY_FILE") == "" {
		return nil, nil
	}
	ids, err := loadIdentities("")
	if err != nil {
		fmt.Fprintf(stderr, "note: SOPS_AGE_KEY_FILE: %v; continuing without an age identity\n", err)
		return nil, nil
	}
	return ids, nil
}

func loadIdentities(file string) ([]age.Identity, error) {
	if file == "" {
		file = os.Getenv("SOPS_AGE_KEY_FILE")
	}
	if file == "" {
		return nil, errors.New("no age identity: pass --identity FILE or set SOPS_AGE_KEY_FILE")
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("age identity: %w", err)
	}
	defer f.Close()
	ids, err := secrets.Identities(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return ids, nil
}

func printWritten(w io.Writer, result *keys.Result) error {
	for _, p := range result.Written {
		fmt.Fprintln(w, "wrote", p)
	}
	fmt.Fprintf(w, "%d changed\n", len(result.Written))
	for _, a := range result.Advice {
		fmt.Fprintln(w, "note:", a)
	}
	return nil
}
