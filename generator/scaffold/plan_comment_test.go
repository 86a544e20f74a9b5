package scaffold_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// Both CI templates post the markdown plan, whose topology diagram is a fenced Mermaid
// block. GitHub draws the fence; the Azure pipeline rewrites it, and only it, as Azure
// DevOps' ::: mermaid block. The rewrite is run here as the pipeline runs it. The block
// syntax is Microsoft's: learn.microsoft.com/azure/devops/project/wiki/markdown-guidance,
// "Add Mermaid diagrams to a wiki page" (`::: mermaid`, the diagram, `:::`); GitHub's
// fence is from docs.github.com, "Creating diagrams" (```mermaid).
func TestPipelinesPostThePlansDiagram(t *testing.T) {
	root := testenv.RepoRoot(t)
	for _, file := range []string{"generator/scaffold/templates/github-network.yml", ".github/workflows/network.yml"} {
		data, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), "--output markdown > plan.md") || !strings.Contains(string(data), "--body-file plan.md") {
			t.Errorf("%s does not post the markdown plan", file)
		}
	}
	plan := "### flux-ledger plan\n\n```mermaid\ngraph LR\n  a --- b\n```\n\n```text\nkept\n```\n"
	want := "### flux-ledger plan\n\n::: mermaid\ngraph LR\n  a --- b\n:::\n\n```text\nkept\n```\n"
	for _, file := range []string{"generator/scaffold/templates/azure-pipelines.yml", "azure-pipelines.yml"} {
		data, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		var rewrite string
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, "sed -i") && strings.Contains(line, "plan.md") {
				rewrite = strings.TrimSpace(line)
			}
		}
		if rewrite == "" || !strings.Contains(string(data), `open("plan.md").read()`) {
			t.Errorf("%s does not rewrite and post the plan", file)
			continue
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "plan.md"), []byte(plan), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", "-c", rewrite)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %s: %v\n%s", file, rewrite, err, out)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, "plan.md")); string(got) != want {
			t.Errorf("%s turns the plan into:\n%s\nwant:\n%s", file, got, want)
		}
	}
}
