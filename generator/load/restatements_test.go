package load

import (
	"strings"
	"testing"
)

// A restatement applies only while the schema spells the bound as the restatement
// does: a pattern changed in the schema must not leave its words behind unused.
func TestRestatedBoundsAreTheSchemas(t *testing.T) {
	var schema strings.Builder
	for _, data := range EmbeddedSchema() {
		schema.Write(data)
	}
	for _, r := range restatements {
		bound, ok := strings.CutPrefix(r.cue, "(out of bound ")
		if !ok {
			continue
		}
		bound = strings.TrimSuffix(bound, ")")
		if !strings.Contains(schema.String(), bound) {
			t.Errorf("no schema file has the bound %s, restated as %q", bound, r.user)
		}
	}
}
