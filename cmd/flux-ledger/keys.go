package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"filippo.io/age"
	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/secrets"
)

func newKeysCommand(opts *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Create, re-encrypt and verify node identities",
		Long: `Node identities are secp256k1 keypairs. The public half (address, enode public key)
is written to cue/identities/<node>.cue; the private half is a Kubernetes Secret under
parties/<party>/secrets/, SOPS-encrypted in memory to the party's age recipients only.`,
	}
	cmd.AddCommand(newKeysInitCommand(opts), newKeysRewrapCommand(opts), newKeysVerifyCommand(opts))
	return cmd
}

func newKeysInitCommand(opts *globalOptions) *cobra.Command {
	var init keys.InitOptions
	cmd := &cobra.Command{
		Use:   "init (--party PARTY | --all)",
		Short: "Create identities for the party's nodes that have none",
		Long: `Create an identity for every node of the party that has none. Existing identities
are never overwritten; --rotate NODE replaces one deliberately (a rotated validator
changes the validator set). Also writes .sops.yaml.`,
		Example: `  flux-ledger keys init --party contoso
  flux-ledger keys init --party contoso --rotate contoso-rpc-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
	cmd.MarkFlagsOneRequired("party", "all")
	cmd.MarkFlagsMutuallyExclusive("party", "all")
	return cmd
}

func newKeysRewrapCommand(opts *globalOptions) *cobra.Command {
	var party, identityFile string
	cmd := &cobra.Command{
		Use:   "rewrap --party PARTY [--identity FILE]",
		Short: "Re-encrypt the party's secrets to its current recipient list",
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
	cmd.MarkFlagRequired("party")
	return cmd
}

func newKeysVerifyCommand(opts *globalOptions) *cobra.Command {
	var party, identityFile string
	cmd := &cobra.Command{
		Use:   "verify --party PARTY [--identity FILE]",
		Short: "Check that the party's sealed keys match their public identities",
		Args:  cobra.NoArgs,
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
	cmd.MarkFlagRequired("party")
	return cmd
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
