package scaffold_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"filippo.io/age"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/scaffold"
)

func options(t *testing.T, dir string, parties int) scaffold.Options {
	t.Helper()
	opts := scaffold.Options{Dir: dir, Name: "net", Platform: "besu", Consensus: "qbft", ChainID: 7,
		Repository: "https://git.example.com/net.git", Version: "v1.2.3", Revision: "0123456789abcdef0123456789abcdef01234567"}
	for i := 0; i < parties; i++ {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		opts.Parties = append(opts.Parties, scaffold.Party{Name: fmt.Sprintf("p%d", i), Recipient: id.Recipient().String(),
			Reviewers: []string{fmt.Sprintf("@p%d-ops", i), fmt.Sprintf("ops@p%d.example", i)}})
	}
	return opts
}

// The starter network meets every rule of the schema (at least 4 validators, no party
// above its share) whatever the number of founding parties.
func TestStarterNetworkIsValidForAnyNumberOfParties(t *testing.T) {
	for _, parties := range []int{1, 2, 3, 4, 7} {
		dir := filepath.Join(t.TempDir(), "net")
		if _, err := scaffold.Init(options(t, dir, parties)); err != nil {
			t.Fatalf("%d parties: %v", parties, err)
		}
		result, err := load.Network(filepath.Join(dir, "cue"))
		if err != nil {
			t.Fatalf("%d parties: %v", parties, err)
		}
		if got := len(result.Network.Parties); got != parties {
			t.Errorf("%d parties: network has %d", parties, got)
		}
	}
}

func TestInitIsDeterministic(t *testing.T) {
	opts := options(t, filepath.Join(t.TempDir(), "a"), 3)
	first, err := scaffold.Init(opts)
	if err != nil {
		t.Fatal(err)
	}
	again := opts
	again.Dir = filepath.Join(t.TempDir(), "b")
	if _, err := scaffold.Init(again); err != nil {
		t.Fatal(err)
	}
	for _, p := range first {
		a, _ := os.ReadFile(filepath.Join(opts.Dir, p))
		b, _ := os.ReadFile(filepath.Join(again.Dir, p))
		if string(a) != string(b) {
			t.Errorf("%s differs between two inits of the same network", p)
		}
	}
}

// The CI templates pin the flux-ledger version that wrote the repository, and stay
// valid YAML with the keys GitHub Actions and Azure Pipelines read.
func TestCITemplatesPinTheVersion(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "net")
	if _, err := scaffold.Init(options(t, dir, 2)); err != nil {
		t.Fatal(err)
	}
	for file, parent := range map[string]string{".github/workflows/network.yml": "env", "azure-pipelines.yml": "variables"} {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		vars, _ := doc[parent].(map[string]any)
		if vars["FLUX_LEDGER_VERSION"] != "v1.2.3" || vars["FLUX_LEDGER_REVISION"] != "0123456789abcdef0123456789abcdef01234567" {
			t.Errorf("%s: %s.FLUX_LEDGER_VERSION = %v, FLUX_LEDGER_REVISION = %v", file, parent, vars["FLUX_LEDGER_VERSION"], vars["FLUX_LEDGER_REVISION"])
		}
		// CI builds the pinned revision from source: a go install of a version the
		// module proxy has never seen cannot work before the module is published.
		if text := string(data); strings.Contains(text, "go install \"github.com/flux-ledger") || !strings.Contains(text, "checkout --quiet --detach") || !strings.Contains(text, "build VERSION=") {
			t.Errorf("%s does not build flux-ledger at its pinned revision:\n%s", file, text)
		}
	}
}

// The Azure pipeline talks to its agent with logging commands. Their form and the task
// commands that exist are from learn.microsoft.com, Azure DevOps "Logging commands"
// (docs/pipelines/scripts/logging-commands.md): "##vso[area.action
// property1=value;...]message"; task commands AddAttachment, Complete, LogDetail,
// LogIssue, PrependPath, SetEndpoint, SetProgress, SetVariable, SetSecret, UploadFile,
// UploadSummary. A misspelt command is ignored by the agent, not reported.
func TestAzurePipelineUsesDocumentedLoggingCommands(t *testing.T) {
	documented := map[string]bool{}
	for _, c := range []string{"AddAttachment", "Complete", "LogDetail", "LogIssue", "PrependPath", "SetEndpoint",
		"SetProgress", "SetVariable", "SetSecret", "UploadFile", "UploadSummary"} {
		documented["task."+strings.ToLower(c)] = true
	}
	dir := filepath.Join(t.TempDir(), "net")
	if _, err := scaffold.Init(options(t, dir, 1)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "azure-pipelines.yml"))
	if err != nil {
		t.Fatal(err)
	}
	commands := regexp.MustCompile(`##vso\[([a-z]+\.[a-z]+)[ \]]`).FindAllStringSubmatch(string(data), -1)
	if len(commands) < 2 || strings.Count(string(data), "##vso[") != len(commands) {
		t.Fatalf("found %d well-formed logging commands of %d", len(commands), strings.Count(string(data), "##vso["))
	}
	for _, c := range commands {
		if !documented[c[1]] {
			t.Errorf("##vso[%s]: not a documented task command", c[1])
		}
	}
}
