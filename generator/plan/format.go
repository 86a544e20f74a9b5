package plan

import (
	"encoding/json"
	"fmt"
	"io"
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
		for _, a := range p.Approvals {
			if a.Status != "" {
				fmt.Fprintf(w, "  %-16s %s\n  %-16s   %s\n", a.Party, summarisePaths(a.Paths), "", a.approvalState())
				continue
			}
			fmt.Fprintf(w, "  %-16s %s\n", a.Party, summarisePaths(a.Paths))
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
		if p.ApprovalFiles == nil {
			fmt.Fprintln(w, "\n**Approvals needed**\n\n| party | because of |\n|---|---|")
			for _, a := range p.Approvals {
				fmt.Fprintf(w, "| %s | %s |\n", a.Party, summarisePaths(a.Paths))
			}
		} else {
			fmt.Fprintln(w, "\n**Approvals needed**\n\n| party | because of | approval |\n|---|---|---|")
			for _, a := range p.Approvals {
				fmt.Fprintf(w, "| %s | %s | %s |\n", a.Party, summarisePaths(a.Paths), a.approvalState())
			}
		}
	}
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
