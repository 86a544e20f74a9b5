package owners_test

import (
	"maps"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/render/owners"
)

// reviewerRule is the schema's #Reviewer, compiled from the schema built into the
// binary (cue/schema/access.cue): the rule vet and cue vet hold a reviewer to.
func reviewerRule(t testing.TB) cue.Value {
	t.Helper()
	for _, line := range strings.Split(string(load.EmbeddedSchema()["access.cue"]), "\n") {
		if strings.HasPrefix(line, "#Reviewer:") {
			v := cuecontext.New().CompileString(line).LookupPath(cue.ParsePath("#Reviewer"))
			if v.Err() != nil {
				t.Fatal(v.Err())
			}
			return v
		}
	}
	t.Fatal("no #Reviewer in the embedded access.cue")
	return cue.Value{}
}

// FuzzReviewer: whatever a party writes as a reviewer, if the schema accepts it (and
// the host check does), the code-owners file GitHub reads gives that party's
// directory exactly that one owner, read the way GitHub documents (a "#" would start a
// comment, a space split one owner into two). A reviewer that would own nothing, or
// someone else's name, must never get past vet.
func FuzzReviewer(f *testing.F) {
	for _, seed := range []string{"@ana", "@tradenet/ops", "ops@contoso.example", "#ops@x.example", "a b@c.d", "@a#b", "x@y.z\n* @mallory", "@ana\t@mallory", "ops@contoso.example,", "@-x"} {
		f.Add(seed)
	}
	rule := reviewerRule(f)
	network := referenceNetwork(f)
	party := network.PartyNames()[0]
	// A context of its own for the reviewer: cue.Value.Context is deprecated, and
	// values of different contexts unify (cuelang.org/go v0.17.1 cue/context.go, Value.Context).
	ctx := cuecontext.New()
	f.Fuzz(func(t *testing.T, reviewer string) {
		if rule.Unify(ctx.Encode(reviewer)).Validate(cue.Concrete(true)) != nil {
			return
		}
		n := *network
		n.Parties = maps.Clone(n.Parties)
		p := n.Parties[party]
		p.Reviewers = []string{reviewer}
		n.Parties[party] = p
		if owners.Check(&n) != nil {
			return
		}
		files, err := owners.Render(&n)
		if err != nil {
			return // refused with an error: nothing is written
		}
		got := gitHubOwners(t, string(files[owners.GitHubPath]), "parties/"+party+"/kustomization.yaml")
		if len(got) != 1 || got[0] != reviewer {
			t.Fatalf("reviewer %q accepted by the schema, but GitHub reads the owners of party %s's directory as %q", reviewer, party, got)
		}
	})
}
