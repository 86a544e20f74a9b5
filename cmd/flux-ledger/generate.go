package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/mail"
	"os"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/spf13/cobra"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

func newGenerateCommand(opts *globalOptions) *cobra.Command {
	var check, commit, includeInputs, prune bool
	var author, signKey, subject, output string
	cmd := &cobra.Command{
		Use:   "generate [--check]",
		Short: "Render every party's and cluster's directory from the network",
		Long: `Validate cue/, render the desired tree in memory, and write only the files whose bytes
differ: parties/<party>/, clusters/<cluster>/, policies/ and .sops.yaml. Stale generated
files are removed: those listed in their directory's .flux-ledger.index, which generate
writes. Any other file there is refused by name unless --prune deletes it; nothing under
parties/<party>/secrets/ (written by flux-ledger keys) is ever deleted, and a symbolic
link anywhere in those paths is refused.
Regenerating an unchanged network writes nothing ("0 changed").

Each party's directory and policies and each cluster's entry point is rendered again only
when what it is rendered from changed, or its files no longer hold what was rendered: a
record of each, keyed by this binary's own digest, is kept outside the repository
($XDG_CACHE_HOME/flux-ledger/render, or FLUX_LEDGER_RENDER_CACHE=DIR; "off" renders
everything). A file is known unchanged by its size, times and inode, as git's index
knows it, or else read and checked against the record's SHA-256, so a file anyone
changed is rendered again. The output is the same bytes either way.

With --check nothing is written: the command lists the out-of-date files and exits 1
if there are any (the CI drift check).

With -o json the report is one JSON object on stdout: {"check", "changed", "dirs":
[{"dir", "added", "changed", "removed"}], "files": [{"path", "action"}], "orphans",
"commit"}; the exit codes are the same.`,
		Example: `  flux-ledger generate
  flux-ledger generate --check
  flux-ledger generate --commit --include-inputs --sign-key me.asc`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" {
				return fmt.Errorf("--output %q: want text or json", output)
			}
			if check && commit {
				return fmt.Errorf("--check writes nothing: it cannot --commit")
			}
			commitOpts := generator.CommitOptions{Repo: opts.repo, IncludeInputs: includeInputs, Subject: subject, GeneratorVersion: Version()}
			if commit {
				var err error
				if commitOpts.Author, err = parseAuthor(author); err != nil {
					return err
				}
				if commitOpts.SignKey, err = readSignKey(signKey); err != nil {
					return err
				}
				// Refuse before writing: a refused commit must not leave a half-done
				// generation behind in the working tree.
				if err := generator.CommitPreflight(commitOpts); err != nil {
					return err
				}
			}
			report, err := generator.Generate(generator.Options{Repo: opts.repo, Check: check, Prune: prune})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if output == "text" {
				printReport(out, report, check)
			}
			var hash string
			if commit {
				if hash, err = generator.Commit(report, commitOpts); err != nil {
					return err
				}
				if output == "text" {
					fmt.Fprintln(out, "committed", hash)
				}
			}
			if output == "json" {
				if err := generateJSON(out, report, check, hash); err != nil {
					return err
				}
			}
			if check && len(report.Changes) > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d generated files are out of date: run flux-ledger generate", len(report.Changes))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "write nothing; exit 1 if any generated file is out of date")
	cmd.Flags().BoolVar(&prune, "prune", false, "also delete files in generated directories that flux-ledger did not write (never under secrets/)")
	cmd.Flags().BoolVar(&commit, "commit", false, "commit exactly the generated changes, with plan summary and trailers")
	cmd.Flags().BoolVar(&includeInputs, "include-inputs", false, "with --commit, also commit the changes under cue/ and the sealed keys")
	cmd.Flags().StringVar(&author, "author", "", `with --commit, "Name <email>" (default: as git commit takes it: GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL, then author.* or user.* from the repository, global or system git config)`)
	cmd.Flags().StringVar(&signKey, "sign-key", "", "with --commit, an armored OpenPGP private key file to sign the commit")
	cmd.Flags().StringVarP(&subject, "message", "m", "", "with --commit, the commit subject (default: a summary of the plan)")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

func printReport(w io.Writer, report *generator.Report, check bool) {
	verb := map[bool]string{false: "", true: "out of date: "}[check]
	for _, s := range report.Summaries() {
		fmt.Fprintf(w, "%s%s: %s\n", verb, s.Dir, s)
	}
	if check {
		for _, c := range report.Changes {
			fmt.Fprintf(w, "  %s %s\n", c.Action, c.Path)
		}
	}
	for _, o := range report.Orphans {
		fmt.Fprintf(w, "note: %s belongs to no node; delete it with its cue/identities file\n", o)
	}
	fmt.Fprintf(w, "%d changed\n", len(report.Changes))
}

// generateReport is generate's -o json output.
type generateReport struct {
	Check   bool              `json:"check"`
	Changed int               `json:"changed"`
	Dirs    []tree.DirSummary `json:"dirs"`
	Files   []generatedFile   `json:"files"`
	Orphans []string          `json:"orphans"`
	Commit  string            `json:"commit,omitempty"`
}

type generatedFile struct {
	Path   string      `json:"path"`
	Action tree.Action `json:"action"`
}

func generateJSON(w io.Writer, report *generator.Report, check bool, commit string) error {
	out := generateReport{Check: check, Changed: len(report.Changes), Dirs: report.Summaries(), Files: []generatedFile{}, Orphans: report.Orphans, Commit: commit}
	if out.Dirs == nil {
		out.Dirs = []tree.DirSummary{}
	}
	if out.Orphans == nil {
		out.Orphans = []string{}
	}
	for _, c := range report.Changes {
		out.Files = append(out.Files, generatedFile{Path: c.Path, Action: c.Action})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func parseAuthor(s string) (*object.Signature, error) {
	if s == "" {
		return nil, nil
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name == "" {
		return nil, fmt.Errorf(`--author %q: want "Name <email>"`, s)
	}
	return &object.Signature{Name: addr.Name, Email: addr.Address, When: time.Now()}, nil
}

func readSignKey(path string) (*openpgp.Entity, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--sign-key: %w", err)
	}
	defer f.Close()
	keys, err := openpgp.ReadArmoredKeyRing(f)
	if err != nil || len(keys) == 0 || keys[0].PrivateKey == nil {
		return nil, fmt.Errorf("--sign-key %s: not an armored OpenPGP private key", path)
	}
	if keys[0].PrivateKey.Encrypted {
		return nil, fmt.Errorf("--sign-key %s: the key is passphrase-protected; export an unprotected signing subkey for automation", path)
	}
	return keys[0], nil
}
