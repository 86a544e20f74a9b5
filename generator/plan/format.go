package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Text writes the plan for a terminal.
func (p *Plan) Text(w io.Writer) {
	fmt.Fprintf(w, "Plan against %s\n", p.Base)
	if len(p.Changes) == 0 && len(p.Consensus) == 0 && len(p.Files) == 0 {
		fmt.Fprintln(w, "\nNo changes.")
	}
	if len(p.Changes) > 0 || len(p.Consensus) > 0 {
		fmt.Fprintln(w, "\nTopology:")
		for _, c := range p.Changes {
			fmt.Fprintf(w, "  %-8s %-7s %s (party %s)%s\n", c.Action, c.Kind, c.Name, c.Party, fields(c.Fields))
		}
		if len(p.Consensus) > 0 {
			fmt.Fprintf(w, "  changed  consensus: %s\n", strings.Join(p.Consensus, ", "))
		}
	}
	if len(p.Files) > 0 {
		fmt.Fprintln(w, "\nGenerated files:")
		for _, f := range p.Files {
			fmt.Fprintf(w, "  %-40s %s\n", f.Dir, f)
		}
	}
	list(w, "Consequences", p.Consequences)
	list(w, "Governance", p.governanceLines())
	list(w, "Channel updates", p.channelUpdateLines())
	if len(p.Approvals) > 0 {
		fmt.Fprintln(w, "\nApprovals needed:")
		shared := sharedPaths(p.Approvals)
		if len(shared) > 0 {
			fmt.Fprintf(w, "  %-16s %s\n  %-16s   reviewers: %s\n", "every party", summarisePaths(shared), "", allReviewers(p.Approvals))
		}
		for _, a := range p.Approvals {
			own := ownPaths(a, shared)
			fmt.Fprintf(w, "  %-16s %s\n", a.Party+handles(a), own)
			if a.Status != "" {
				fmt.Fprintf(w, "  %-16s   %s\n", "", a.approvalState())
			}
		}
	}
	list(w, "REFUSED", p.Refused)
}

// Markdown writes the plan as a pull-request comment.
func (p *Plan) Markdown(w io.Writer) {
	fmt.Fprintf(w, "### flux-ledger plan\n\nAgainst `%s`. Parties affected: %s.\n", p.Base, orNone(p.PartiesChanged))
	if len(p.Refused) > 0 {
		fmt.Fprintln(w, "\n> [!CAUTION]\n> This change is refused:")
		for _, r := range p.Refused {
			fmt.Fprintf(w, "> - %s\n", r)
		}
	}
	if len(p.Changes) > 0 || len(p.Consensus) > 0 {
		fmt.Fprintln(w, "\n| change | kind | name | party | fields |\n|---|---|---|---|---|")
		for _, c := range p.Changes {
			fmt.Fprintf(w, "| %s | %s | `%s` | %s | %s |\n", c.Action, c.Kind, c.Name, c.Party, strings.Join(c.Fields, ", "))
		}
		if len(p.Consensus) > 0 {
			fmt.Fprintf(w, "| changed | consensus | | | %s |\n", strings.Join(p.Consensus, ", "))
		}
	}
	p.mermaid(w)
	if len(p.Files) > 0 {
		fmt.Fprintln(w, "\n| directory | added | changed | removed |\n|---|---|---|---|")
		for _, f := range p.Files {
			fmt.Fprintf(w, "| `%s` | %d | %d | %d |\n", f.Dir, f.Added, f.Changed, f.Removed)
		}
	}
	if len(p.Consequences) > 0 {
		fmt.Fprintln(w, "\n**Consequences**")
		for _, c := range p.Consequences {
			fmt.Fprintf(w, "- %s\n", c)
		}
	}
	if len(p.Governance) > 0 {
		fmt.Fprintln(w, "\n**Governance**")
		for _, g := range p.governanceLines() {
			fmt.Fprintf(w, "- %s\n", g)
		}
	}
	if lines := p.channelUpdateLines(); len(lines) > 0 {
		fmt.Fprintln(w, "\n**Channel updates**")
		for _, l := range lines {
			fmt.Fprintf(w, "- %s\n", l)
		}
	}
	if len(p.Approvals) > 0 {
		fmt.Fprintln(w, "\n**Approvals needed**")
		shared := sharedPaths(p.Approvals)
		if len(shared) > 0 {
			fmt.Fprintf(w, "\nEvery party must approve the shared change (%s): %s.\n", summarisePaths(shared), allReviewers(p.Approvals))
		}
		// Many parties make a long table: it folds, the line above says the gist.
		folded := len(p.Approvals) > foldApprovalsAbove
		if folded {
			fmt.Fprintf(w, "\n<details><summary>Per party (%d)</summary>\n", len(p.Approvals))
		}
		if p.ApprovalFiles == nil {
			fmt.Fprintln(w, "\n| party | reviewers | because of |\n|---|---|---|")
			for _, a := range p.Approvals {
				fmt.Fprintf(w, "| %s | %s | %s |\n", a.Party, strings.Join(a.Reviewers, ", "), ownPaths(a, shared))
			}
		} else {
			fmt.Fprintln(w, "\n| party | reviewers | because of | approval |\n|---|---|---|---|")
			for _, a := range p.Approvals {
				fmt.Fprintf(w, "| %s | %s | %s | %s |\n", a.Party, strings.Join(a.Reviewers, ", "), ownPaths(a, shared), a.approvalState())
			}
		}
		if folded {
			fmt.Fprintln(w, "\n</details>")
		}
	}
}

// foldApprovalsAbove is how many parties' approval rows a pull-request comment shows
// unfolded.
const foldApprovalsAbove = 5

// handles is a party's reviewers in parentheses, or nothing.
func handles(a Approval) string {
	if len(a.Reviewers) == 0 {
		return ""
	}
	return " (" + strings.Join(a.Reviewers, ", ") + ")"
}

// allReviewers lists every approving party's reviewers, party by party.
func allReviewers(approvals []Approval) string {
	var parts []string
	for _, a := range approvals {
		if len(a.Reviewers) > 0 {
			parts = append(parts, strings.Join(a.Reviewers, ", "))
		} else {
			parts = append(parts, a.Party)
		}
	}
	return strings.Join(parts, "; ")
}

// sharedPaths are the paths every party in approvals needs to approve, when there are
// two parties or more: said once, they no longer bury each party's own paths.
func sharedPaths(approvals []Approval) []string {
	if len(approvals) < 2 {
		return nil
	}
	var shared []string
	for _, p := range approvals[0].Paths {
		inAll := true
		for _, a := range approvals[1:] {
			if !slices.Contains(a.Paths, p) {
				inAll = false
				break
			}
		}
		if inAll {
			shared = append(shared, p)
		}
	}
	return shared
}

// ownPaths summarises a party's paths beyond the shared ones ("the shared change" when
// it has none of its own).
func ownPaths(a Approval, shared []string) string {
	var own []string
	for _, p := range a.Paths {
		if !slices.Contains(shared, p) {
			own = append(own, p)
		}
	}
	if len(own) == 0 {
		return "the shared change"
	}
	return summarisePaths(own)
}

// JSON writes the plan in its stable JSON schema.
func (p *Plan) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

func fields(f []string) string {
	if len(f) == 0 {
		return ""
	}
	return ": " + strings.Join(f, ", ")
}

func list(w io.Writer, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, i := range items {
		fmt.Fprintf(w, "  - %s\n", i)
	}
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

func (p *Plan) governanceLines() []string {
	var lines []string
	for _, g := range p.Governance {
		lines = append(lines, g.String())
	}
	return lines
}
