package generator

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flux-ledger/flux-ledger/generator/gitops"
	"github.com/flux-ledger/flux-ledger/generator/plan"
	"github.com/flux-ledger/flux-ledger/generator/render"
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
	})
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
