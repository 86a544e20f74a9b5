package plan

import (
	"fmt"
	"io"

	"github.com/flux-ledger/flux-ledger/generator/graph"
	"github.com/flux-ledger/flux-ledger/generator/model"
)

// DiagramPartyLimit is the most parties a plan's diagram draws whole. A larger network
// draws only the parties the change touches (with a note of how many are left out):
// a pull-request comment has a size limit, and a reviewer looks at what changes.
const DiagramPartyLimit = 12

// diagram pictures head with base's removed entities, each change marked.
func (p *Plan) diagram(base, head *model.Network) error {
	marks := map[string]string{}
	touched := map[string]bool{}
	for _, c := range p.Changes {
		marks[graph.Key(c.Kind, c.Name)] = c.Action
		touched[c.Party] = true
	}
	g, err := graph.BuildChange(base, head, graph.Options{Marks: marks})
	if err != nil {
		return err
	}
	if len(g.Parties) > DiagramPartyLimit {
		g.Focus(keys(touched))
	}
	p.picture = g
	return nil
}

// mermaid writes the diagram of a topology change as a fenced Mermaid block, which
// GitHub renders in a comment (the Azure DevOps pipeline rewrites the fence as its
// ::: mermaid block).
func (p *Plan) mermaid(w io.Writer) {
	if p.picture == nil || len(p.Changes) == 0 {
		return
	}
	fmt.Fprintln(w, "\n**Topology after the change** (added, changed and removed entities highlighted)\n\n```mermaid")
	_ = p.picture.Mermaid(w) // it fails only when w does, as the prints around it would
	fmt.Fprintln(w, "```")
}
