package plan

import (
	"fmt"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// SchemaDevRefusal is the refusal of every plan made with load.SchemaDevEnv set.
var SchemaDevRefusal = fmt.Sprintf("evaluated with the repository's own schema (%s): only the schema built into flux-ledger decides what merges", load.SchemaDevEnv)

// AddSchema reports the head's schema against the base's: a head schema that is not
// the binary's, or a network evaluated with the repository's own schema, is refused;
// a schema replaced by the binary's (init --upgrade-schema) is a consequence every
// party approves, as cue/schema/ is a shared path.
func (p *Plan) AddSchema(base, head load.Schema) {
	p.Refused = append(p.Refused, schemaRefusals(head)...)
	if len(head.Drift) == 0 && !head.FromRepo && base.Digest != head.Digest {
		p.Consequences = append(p.Consequences, fmt.Sprintf("schema upgraded from %s to %s, the schema built into this flux-ledger: every party approves the new rules", base.Digest, head.Digest))
	}
}

// Unevaluated is the plan of a head that does not evaluate under the binary's schema:
// it carries only the refusals, the schema's and the evaluation's, one line each.
func Unevaluated(baseRev string, head load.Schema, err error) *Plan {
	p := &Plan{Base: baseRev, Changes: []Change{}, Files: []tree.DirSummary{}, Consequences: []string{}, PartiesChanged: []string{}}
	p.Refused = append(schemaRefusals(head), "the network does not evaluate under the schema built into flux-ledger: "+strings.Join(strings.Split(err.Error(), "\n"), "; "))
	return p
}

func schemaRefusals(head load.Schema) []string {
	refused := []string{}
	if head.FromRepo {
		refused = append(refused, SchemaDevRefusal)
	}
	if len(head.Drift) > 0 {
		refused = append(refused, (&load.SchemaError{Drift: head.Drift}).Error())
	}
	return refused
}
