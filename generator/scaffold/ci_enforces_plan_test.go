package scaffold_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// planStep returns the shell script of the CI file's Plan step: a GitHub Actions step
// named Plan (jobs.<job>.steps[].run) or an Azure Pipelines step displayed as Plan
// (steps[].script).
func planStep(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	node, err := kyaml.Parse(string(data))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var steps []*kyaml.RNode
	if jobs := node.Field("jobs"); jobs != nil {
		for _, job := range jobs.Value.Content() {
			if job.Kind != kyaml.MappingNode {
				continue
			}
			if s, err := kyaml.NewRNode(job).Pipe(kyaml.Lookup("steps")); err == nil && s != nil {
				list, _ := s.Elements()
				steps = append(steps, list...)
			}
		}
	} else if s := node.Field("steps"); s != nil {
		steps, _ = s.Value.Elements()
	}
	for _, step := range steps {
		for _, key := range [][2]string{{"name", "run"}, {"displayName", "script"}} {
			if n := step.Field(key[0]); n != nil && kyaml.GetValue(n.Value) == "Plan" {
				return kyaml.GetValue(step.Field(key[1]).Value)
			}
		}
	}
	t.Fatalf("%s: no Plan step", file)
	return ""
}

// TestCIPostsThePlanThenFailsWithIt runs each CI file's Plan step under bash with
// stubs for flux-ledger (a refused plan: it prints the plan and exits 1), git, gh and
// curl. The step must post the plan, then fail; run plan with --require-signatures
// and --require-approvals; and take each party's keyring from the base branch.
// (The flags' meaning is plan's; the stub only records them.) Host expressions are
// substituted as the runners do: ${{ … }} by GitHub Actions before the shell starts,
// $(Name.Name) macros by Azure Pipelines.
func TestCIPostsThePlanThenFailsWithIt(t *testing.T) {
	root := testenv.RepoRoot(t)
	for _, file := range []string{
		"generator/scaffold/templates/github-network.yml", ".github/workflows/network.yml",
		"generator/scaffold/templates/azure-pipelines.yml", "azure-pipelines.yml",
	} {
		t.Run(filepath.Base(filepath.Dir(file))+"/"+filepath.Base(file), func(t *testing.T) {
			script := planStep(t, filepath.Join(root, file))
			if regexp.MustCompile(`plan [^\n]*\|\| true`).MatchString(script) {
				t.Errorf("%s: the plan's status is discarded", file)
			}
			script = regexp.MustCompile(`\$\{\{[^}]*\}\}`).ReplaceAllString(script, "main")
			script = regexp.MustCompile(`\$\((System|Build)\.[A-Za-z.]+\)`).ReplaceAllString(script, "x")
			dir := t.TempDir()
			stubs := filepath.Join(dir, "stubs")
			record := filepath.Join(dir, "calls")
			write := func(name, body string) {
				if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(name, []byte("#!/usr/bin/env bash\n"+body), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			flux := `echo "flux-ledger $*" >> "$CALLS"; echo "### plan: REFUSED"; exit 1` + "\n"
			write(filepath.Join(stubs, "flux-ledger"), flux)
			write(filepath.Join(dir, "bin", "flux-ledger"), flux)
			write(filepath.Join(stubs, "git"), `case "$1" in
ls-tree) echo keyrings/contoso.asc; echo keyrings/README.md ;;
show) echo "KEY OF $2" ;;
esac
`)
			write(filepath.Join(stubs, "gh"), `echo "gh $*" >> "$CALLS"; cat "${@: -1}" >> "$CALLS"`+"\n")
			write(filepath.Join(stubs, "curl"), `echo "curl $*" >> "$CALLS"`+"\n")
			cmd := exec.Command("bash", "-e", "-c", script)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "PATH="+stubs+":"+os.Getenv("PATH"), "CALLS="+record,
				"RUNNER_TEMP="+dir, "AGENT_TEMPDIRECTORY="+dir, "SYSTEM_PULLREQUEST_TARGETBRANCH=refs/heads/main", "SYSTEM_ACCESSTOKEN=t")
			out, err := cmd.CombinedOutput()
			if exit := (*exec.ExitError)(nil); !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Fatalf("Plan step of %s ends with %v, want exit 1 (the refused plan's)\n%s", file, err, out)
			}
			calls, _ := os.ReadFile(record)
			c := string(calls)
			if !regexp.MustCompile(`flux-ledger plan .*--require-signatures --require-approvals --keyring contoso=` + regexp.QuoteMeta(dir) + `/keyrings/contoso.asc --output markdown`).MatchString(c) {
				t.Errorf("%s runs: %s", file, c)
			}
			if key, _ := os.ReadFile(filepath.Join(dir, "keyrings", "contoso.asc")); !strings.Contains(string(key), "origin/main:keyrings/contoso.asc") {
				t.Errorf("%s: keyring %q not read from the base branch", file, key)
			}
			if !strings.Contains(c, "gh pr comment") && !strings.Contains(c, "curl -sf -X POST") {
				t.Errorf("%s did not post the plan: %s", file, c)
			}
		})
	}
}
