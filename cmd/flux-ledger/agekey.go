package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/spf13/cobra"
)

// newKeysAgeKeyCommand makes a party's age identity, as age-keygen does, so a party
// needs no other tool: the file holds the identity, the public key is what the party
// shares (its recipient in cue/network.cue).
func newKeysAgeKeyCommand() *cobra.Command {
	var output, public string
	cmd := &cobra.Command{
		Use:   "age-key -o FILE | -y FILE",
		Short: "Make a party's age identity (like age-keygen), or print a file's public key",
		Long: `Write a new age X25519 identity to FILE, readable by you only, and print its public
key: the recipient the party shares with the consortium. The file has age-keygen's
format (a "# created" and a "# public key" comment, then the AGE-SECRET-KEY line), so
sops, age and kustomize-controller read it. An existing FILE is never overwritten.

-y FILE prints the public key of an existing identity file (age-keygen -y).`,
		Example: `  flux-ledger keys age-key -o contoso.agekey
  flux-ledger keys age-key -y contoso.agekey`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (output == "") == (public == "") {
				return errors.New("give -o FILE to make an identity, or -y FILE to print the public key of one")
			}
			if public != "" {
				recipient, err := publicKeyOf(public)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), recipient)
				return nil
			}
			id, err := age.GenerateX25519Identity()
			if err != nil {
				return err
			}
			f, err := os.OpenFile(output, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("-o %s: the file exists; an age identity is never overwritten", output)
			}
			if err != nil {
				return fmt.Errorf("-o %s: %w", output, err)
			}
			_, err = fmt.Fprintf(f, "# created: %s\n# public key: %s\n%s\n", time.Now().UTC().Format(time.RFC3339), id.Recipient(), id)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(output)
				return fmt.Errorf("-o %s: %w", output, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Public key: %s\n", id.Recipient())
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write a new identity to FILE")
	cmd.Flags().StringVarP(&public, "public", "y", "", "print the public key of the identity in FILE")
	return cmd
}

// publicKeyOf reads an age identity file and returns its recipient.
func publicKeyOf(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("-y %s: %w", path, err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		return "", fmt.Errorf("-y %s: not an age identity file: %s", path, strings.TrimPrefix(err.Error(), "failed to read secret keys file: "))
	}
	if len(ids) != 1 {
		return "", fmt.Errorf("-y %s: holds %d identities, want one", path, len(ids))
	}
	x, ok := ids[0].(*age.X25519Identity)
	if !ok {
		return "", fmt.Errorf("-y %s: not an X25519 identity", path)
	}
	return x.Recipient().String(), nil
}
