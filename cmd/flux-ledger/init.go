package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/scaffold"
)

func newInitCommand(opts *globalOptions) *cobra.Command {
	init := scaffold.Options{}
	var parties, reviewers []string
	var upgrade bool
	cmd := &cobra.Command{
		Use:   "init [DIR] --name NAME --party NAME=AGE_RECIPIENT... --reviewer NAME=HANDLE...",
		Short: "Start a consortium's network repository, or upgrade its schema",
		Long: `Write a new network repository into DIR (default: --repo), which must be empty or not
exist: the CUE module with the schema of this flux-ledger version (cue/schema/), a starter
cue/network.cue with one cluster per party, CI templates for GitHub and Azure DevOps
pinned to this version, .gitignore and a README. Nothing is written if the starter
network does not validate.

--platform besu (the default) starts a Besu network (--consensus qbft or ibft2,
--chain-id) with enough validators for BFT, no party above its share. --platform fabric
starts a Hyperledger Fabric 2.5 network on Raft (etcdraft): a peer per party, at least
three orderers spread over the parties, one channel named after the network with every
party a member and every orderer a consenter, no chaincode yet.

The starter holds placeholders only the consortium can replace: the repository URL
(unless --repository), each party's contact and each cluster's DNS suffix under
.example, each cluster's egress CIDR in a documentation range. vet warns of each;
launch refuses to start the chain while one remains. On Fabric, write each cluster's
DNS suffix before keys init: every node's TLS certificate names its endpoint.

With two parties or more every party names at least one reviewer (--reviewer
NAME=HANDLE, repeatable: @user, an e-mail address, or @org/team of the repository's
owner), so CODEOWNERS and the Azure DevOps policies bind from the first commit. Then run, in DIR:
  flux-ledger keys init --all && flux-ledger generate && git init && git add -A && git commit

With --upgrade-schema, make the repository's cue/schema/ the schema built into this
version instead: the one way to change it, as every command evaluates the network with
the binary's schema and refuses a cue/schema/ that differs. 'flux-ledger plan' shows the
upgrade as a consequence every party approves.`,
		Example: `  flux-ledger init tradenet --name tradenet \
    --party contoso=age1a0wy2f3efug284a4r78kudc0jy03cmls0wfk52a5773d08v6446qx6u4av \
    --party fabrikam=age10k2a9fa93fhfu7qj8htca6gwypm35juh5jg2zakgcjpcs8m4afaqm8w3eg \
    --reviewer contoso=@ana-contoso --reviewer contoso=ledger-ops@contoso.example \
    --reviewer fabrikam=@bo-fabrikam --reviewer fabrikam=platform@fabrikam.example
  flux-ledger init tradechain --name tradechain --platform fabric \
    --party contoso=age1a0wy2f3efug284a4r78kudc0jy03cmls0wfk52a5773d08v6446qx6u4av \
    --party fabrikam=age10k2a9fa93fhfu7qj8htca6gwypm35juh5jg2zakgcjpcs8m4afaqm8w3eg \
    --party northwind=age1cn65f5s3ggkuay2jjyxxztxgx3qu9lrz5xxp2f673t7ftk0z23lq05tshu \
    --reviewer contoso=@ana-contoso --reviewer fabrikam=@bo-fabrikam --reviewer northwind=@chen-northwind \
    --repository https://github.com/contoso/tradechain.git
  flux-ledger init --upgrade-schema`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			init.Dir = opts.repo
			if len(args) == 1 {
				init.Dir = args[0]
			}
			out := cmd.OutOrStdout()
			if upgrade {
				return upgradeSchema(out, init.Dir)
			}
			if init.Platform == "fabric" && cmd.Flags().Changed("chain-id") {
				return fmt.Errorf("--chain-id: a fabric network has no chain id (its channels are named in cue/network.cue)")
			}
			if init.Name == "" {
				return fmt.Errorf("--name: the network needs a name (a DNS label, at most 20 characters)")
			}
			for _, p := range parties {
				name, recipient, ok := strings.Cut(p, "=")
				if !ok || name == "" {
					return fmt.Errorf("--party %q: expected NAME=AGE_RECIPIENT", p)
				}
				init.Parties = append(init.Parties, scaffold.Party{Name: name, Recipient: recipient})
			}
			for _, r := range reviewers {
				name, handle, ok := strings.Cut(r, "=")
				i := slices.IndexFunc(init.Parties, func(p scaffold.Party) bool { return p.Name == name })
				switch {
				case !ok || name == "" || handle == "":
					return fmt.Errorf("--reviewer %q: expected NAME=HANDLE (@user, an e-mail address or @org/team)", r)
				case i < 0:
					return fmt.Errorf("--reviewer %q: no --party %s", r, name)
				}
				init.Parties[i].Reviewers = append(init.Parties[i].Reviewers, handle)
			}
			if init.Repository == "" {
				init.Repository = "https://git.example.com/" + init.Name + "/network.git"
			}
			init.Version, init.Revision = Version(), currentBuild().Commit
			written, err := scaffold.Init(init)
			if err != nil {
				return err
			}
			for _, p := range written {
				fmt.Fprintf(out, "wrote %s\n", p)
			}
			if init.Platform == "fabric" {
				// Every node's TLS certificate names its endpoint, under the cluster's
				// DNS suffix: a suffix written after keys init means new certificates.
				fmt.Fprintln(out, "first: write each cluster's exposure.dnsSuffix in cue/network.cue (flux-ledger vet lists the placeholders): keys init puts it in every node's TLS certificate")
			}
			fmt.Fprintf(out, "next: cd %s && flux-ledger keys init --all && flux-ledger generate\n", init.Dir)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&init.Name, "name", "", "network name (labels every object, prefixes namespaces)")
	f.StringArrayVar(&parties, "party", nil, "a founding party as NAME=AGE_RECIPIENT (repeatable)")
	f.StringArrayVar(&reviewers, "reviewer", nil, "a reviewer of a party as NAME=HANDLE: @user, an e-mail address or @org/team (repeatable; each party needs one when there are two or more)")
	f.StringVar(&init.Platform, "platform", "besu", "ledger platform: besu or fabric")
	f.StringVar(&init.Consensus, "consensus", "", "consensus algorithm: qbft (default) or ibft2 on besu; etcdraft on fabric")
	f.IntVar(&init.ChainID, "chain-id", 1337, "chain id of the new network (besu only)")
	f.StringVar(&init.Repository, "repository", "", "Git URL every cluster reconciles from (default: a placeholder to edit)")
	f.BoolVar(&upgrade, "upgrade-schema", false, "replace cue/schema/ with this version's schema instead of starting a repository")
	_ = cmd.RegisterFlagCompletionFunc("platform", cobra.FixedCompletions([]string{"besu", "fabric"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("consensus", cobra.FixedCompletions([]string{"qbft", "ibft2", "etcdraft"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// upgradeSchema writes the binary's schema into the repository at dir and says which
// files changed and the schema's version (digest) before and after.
func upgradeSchema(out io.Writer, dir string) error {
	before, err := load.SchemaOf(filepath.Join(dir, "cue"))
	if err != nil {
		return err
	}
	written, removed, err := scaffold.UpgradeSchema(dir)
	if err != nil {
		return err
	}
	for _, p := range written {
		fmt.Fprintf(out, "upgraded %s\n", p)
	}
	for _, p := range removed {
		fmt.Fprintf(out, "removed %s: not part of flux-ledger %s's schema\n", p, Version())
	}
	if len(written)+len(removed) == 0 {
		fmt.Fprintf(out, "cue/schema/ already is the schema of flux-ledger %s (%s)\n", Version(), before.Digest)
		return nil
	}
	fmt.Fprintf(out, "cue/schema/ upgraded from %s to %s (flux-ledger %s)\n", before.Digest, load.EmbeddedSchemaDigest(), Version())
	return nil
}
