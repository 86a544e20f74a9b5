package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/plan"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// committedRepo is generatedRepo as the first commit of a Git repository on main.
func committedRepo(t *testing.T) string {
	t.Helper()
	repo := generatedRepo(t)
	runGit(t, repo, "init", "-q", "-b", "main")
	runGit(t, repo, "add", "-A")
	runGit(t, repo, "commit", "-q", "-m", "network")
	return repo
}

// A pull request that frees flux-system in cue/schema/ and gives it to a party: every
// command that loads the network refuses it on one line naming the schema file, and
// plan lists it under REFUSED in each format.
func TestEditedSchemaIsRefusedByEveryCommand(t *testing.T) {
	repo := committedRepo(t)
	testenv.ClaimFluxSystem(t, filepath.Join(repo, "cue"))
	file := filepath.Join("cue", "schema", "ownership.cue")
	for _, args := range [][]string{{"vet"}, {"generate", "--check"}, {"generate"}, {"launch"}} {
		_, errOut, code := run(t, append([]string{"--repo", repo}, args...)...)
		if code == 0 || !strings.Contains(errOut, "changed "+filepath.Join(repo, file)) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: exit %d, want one line naming %s:\n%s", args, code, file, errOut)
		}
	}
	for _, output := range []string{"text", "markdown", "json"} {
		out, errOut, code := run(t, "--repo", repo, "plan", "--output", output)
		if code != 1 {
			t.Fatalf("plan -o %s: exit %d\n%s%s", output, code, out, errOut)
		}
		refused := refusals(t, output, out)
		if len(refused) < 2 || !strings.Contains(refused[0], file) || !strings.Contains(strings.Join(refused, "\n"), "namespace flux-system is already the reserved namespace") {
			t.Errorf("plan -o %s: refused %q, want the schema file and the namespace the binary's schema refuses", output, refused)
		}
	}
}

// refusals extracts the REFUSED lines of a plan printed in the given format.
func refusals(t *testing.T, output, out string) []string {
	t.Helper()
	var lines []string
	switch output {
	case "json":
		var p plan.Plan
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatalf("plan -o json: %v\n%s", err, out)
		}
		return p.Refused
	case "text":
		_, after, _ := strings.Cut(out, "\nREFUSED:\n")
		for _, l := range strings.Split(strings.TrimSpace(after), "\n") {
			if l, ok := strings.CutPrefix(strings.TrimSpace(l), "- "); ok {
				lines = append(lines, l)
			}
		}
	case "markdown":
		for _, l := range strings.Split(out, "\n") {
			if l, ok := strings.CutPrefix(l, "> - "); ok {
				lines = append(lines, l)
			}
		}
	}
	return lines
}

// A repository made with an older schema is refused until `init --upgrade-schema`
// writes the binary's; plan then shows the upgrade, from the old schema's digest to the
// binary's, as a consequence every party approves.
func TestUpgradeSchemaIsAConsequenceEveryPartyApproves(t *testing.T) {
	repo := generatedRepo(t)
	names := filepath.Join(repo, "cue", "schema", "names.cue")
	f, err := os.OpenFile(names, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("// an older schema\n")
	f.Close()
	old, err := load.SchemaOf(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	runGit(t, repo, "init", "-q", "-b", "main")
	runGit(t, repo, "add", "-A")
	runGit(t, repo, "commit", "-q", "-m", "network, older schema")
	if _, errOut, code := run(t, "--repo", repo, "vet"); code != 1 || !strings.Contains(errOut, "cue/schema/names.cue") || !strings.Contains(errOut, "init --upgrade-schema") {
		t.Fatalf("vet of an older schema: exit %d: %s", code, errOut)
	}
	upgraded := "schema upgraded from " + old.Digest + " to " + load.EmbeddedSchemaDigest()
	if out := mustRun(t, "--repo", repo, "init", "--upgrade-schema"); !strings.Contains(out, "upgraded cue/schema/names.cue") || !strings.Contains(out, "cue/schema/ upgraded from "+old.Digest+" to "+load.EmbeddedSchemaDigest()) {
		t.Fatalf("upgrade: %s", out)
	}
	mustRun(t, "--repo", repo, "vet")
	out := mustRun(t, "--repo", repo, "plan", "--output", "json")
	var p plan.Plan
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(p.Consequences, func(c string) bool { return strings.Contains(c, upgraded) }) {
		t.Errorf("consequences %q, want %q", p.Consequences, upgraded)
	}
	approving := map[string]bool{}
	for _, a := range p.Approvals {
		if slices.Contains(a.Paths, "cue/schema/names.cue") {
			approving[a.Party] = true
		}
	}
	if !approving["alpha"] || !approving["beta"] {
		t.Errorf("approvals %+v, want every party for cue/schema/names.cue", p.Approvals)
	}
}

// FLUX_LEDGER_SCHEMA_DEV lets one work on the schema: vet evaluates with the
// repository's schema and warns, and plan refuses, so CI can never pass under it.
func TestSchemaDevEscapeWarnsAndPlanRefuses(t *testing.T) {
	repo := committedRepo(t)
	testenv.ClaimFluxSystem(t, filepath.Join(repo, "cue"))
	t.Setenv(load.SchemaDevEnv, "1")
	_, errOut, code := run(t, "--repo", repo, "vet")
	if code != 0 || !strings.Contains(errOut, "warning: "+load.SchemaDevEnv+"=1") {
		t.Fatalf("vet under %s: exit %d: %s", load.SchemaDevEnv, code, errOut)
	}
	for _, output := range []string{"text", "markdown", "json"} {
		out, errOut, code := run(t, "--repo", repo, "plan", "--output", output)
		if code != 1 || !slices.Contains(refusals(t, output, out), plan.SchemaDevRefusal) {
			t.Errorf("plan -o %s under %s: exit %d, want refused %q\n%s%s", output, load.SchemaDevEnv, code, plan.SchemaDevRefusal, out, errOut)
		}
	}
	if !strings.Contains(plan.SchemaDevRefusal, "evaluated with the repository's own schema (FLUX_LEDGER_SCHEMA_DEV)") {
		t.Errorf("refusal %q", plan.SchemaDevRefusal)
	}
}
