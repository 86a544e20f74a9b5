package generator

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flux-ledger/flux-ledger/generator/gitops"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/plan"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/secrets"
)

// CommitOptions control `generate --commit`.
type CommitOptions struct {
	Repo string
	// IncludeInputs also commits the changes under cue/ and the sealed keys.
	IncludeInputs bool
	// Subject overrides the summary line.
	Subject          string
	Author           *object.Signature
	SignKey          *openpgp.Entity
	GeneratorVersion string
}

// Commit records a generation as one commit: its message summarises the plan against
// HEAD, and its trailers (Network-Digest, Parties-Changed, Generator-Version) are what
// `flux-ledger audit` reads back.
func Commit(report *Report, opts CommitOptions) (string, error) {
	repo, err := gitops.Open(opts.Repo)
	if err != nil {
		return "", err
	}
	parties := map[string]bool{}
	for _, s := range report.Summaries() {
		if p, ok := strings.CutPrefix(s.Dir, "parties/"); ok {
			parties[p] = true
		}
	}
	var body bytes.Buffer
	subject := opts.Subject
	if head, err := gitops.Resolve(repo, "HEAD"); err == nil {
		if before, err := gitops.NetworkAt(head); err == nil {
			if p, err := plan.Compute("HEAD", before, report.Network); err == nil {
				p.Text(&body)
				for _, party := range p.PartiesChanged {
					parties[party] = true
				}
				if subject == "" {
					subject = summary(p)
				}
			}
		}
	}
	if subject == "" {
		subject = "flux-ledger: regenerate"
	}
	names := make([]string, 0, len(parties))
	for _, p := range report.Network.PartyNames() {
		if parties[p] {
			names = append(names, p)
		}
	}
	trailers := [][2]string{
		{gitops.TrailerDigest, gitops.Digest(report.Network)},
		{gitops.TrailerParties, strings.Join(names, ", ")},
		{gitops.TrailerGenerator, opts.GeneratorVersion},
	}
	return gitops.Commit(repo, gitops.CommitOptions{
		Generated: generated, IncludeInputs: opts.IncludeInputs,
		Subject: subject, Body: body.String(), Trailers: trailers,
		Author: opts.Author, SignKey: opts.SignKey,
		Check: committable(report.Network),
	})
}

// CommitPreflight checks, before generate writes anything, that `generate --commit`
// could commit: HEAD on a branch, no conflicts, nothing unrelated staged and, without
// IncludeInputs, no uncommitted input.
func CommitPreflight(opts CommitOptions) error {
	repo, err := gitops.Open(opts.Repo)
	if err != nil {
		return err
	}
	return gitops.Preflight(repo, gitops.CommitOptions{Generated: generated, IncludeInputs: opts.IncludeInputs})
}

// committable refuses a file that must never reach the shared repository: anything
// that looks like private key material, and under a party's secrets/ anything but a
// SOPS file sealed to exactly that party's recipients (a decrypted copy, a backup
// sealed to someone else).
func committable(network *model.Network) func(string, []byte) error {
	return func(p string, data []byte) error {
		if what := gitops.SecretMaterial(data); what != "" {
			return fmt.Errorf("looks like %s; it must never be committed (keep it out of the repository, or add it to .gitignore)", what)
		}
		if !gitops.IsSealedSecret(p) || generated(p) {
			return nil
		}
		recipients, err := secrets.Recipients(data)
		if err != nil {
			return fmt.Errorf("not a SOPS-sealed file; only sealed keys belong under secrets/")
		}
		party, ok := network.Parties[strings.Split(p, "/")[1]]
		if !ok {
			return fmt.Errorf("under the secrets of a party the network does not have")
		}
		if !secrets.SameRecipients(recipients, party.Recipients) {
			return fmt.Errorf("sealed to %s, not to party %s's recipients; run flux-ledger keys rewrap --party %s", strings.Join(recipients, ","), party.Name, party.Name)
		}
		return nil
	}
}

// generated reports the files generate owns and writes itself.
func generated(p string) bool {
	return render.Ownership.Owns(p) && !render.WrittenByOthers(p)
}

// summary is a commit subject from a plan: the topology changes, shortest first.
func summary(p *plan.Plan) string {
	var parts []string
	for _, c := range p.Changes {
		verb := map[string]string{"added": "add", "removed": "remove", "changed": "change"}[c.Action]
		parts = append(parts, fmt.Sprintf("%s %s %s", verb, c.Kind, c.Name))
	}
	if len(p.Consensus) > 0 {
		parts = append(parts, "change consensus")
	}
	if len(parts) == 0 {
		return "flux-ledger: regenerate"
	}
	if len(parts) > 3 {
		parts = append(parts[:3], fmt.Sprintf("%d more", len(parts)-3))
	}
	return "flux-ledger: " + strings.Join(parts, ", ")
}
