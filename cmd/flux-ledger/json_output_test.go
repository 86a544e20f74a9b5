package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// vet -o json and generate -o json carry what the text says, for scripts: validity,
// counts, warnings and issues with their positions; the files generate would change.
// The exit codes stay those of the text output.
func TestVetAndGenerateSpeakJSON(t *testing.T) {
	root := testenv.RepoRoot(t)
	var out bytes.Buffer
	cmd := newRootCommand()
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--repo", root, "vet", "-o", "json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	var vet vetReport
	if err := json.Unmarshal(out.Bytes(), &vet); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !vet.Valid || vet.Network != "tradenet" || vet.Parties != 4 || vet.Nodes != 10 || len(vet.Issues) != 0 {
		t.Errorf("vet of the reference network: %+v", vet)
	}

	broken := filepath.Join(t.TempDir(), "cue")
	testenv.CopyDir(t, filepath.Join(root, "cue"), broken)
	network := filepath.Join(broken, "network.cue")
	data, _ := os.ReadFile(network)
	os.WriteFile(network, []byte(strings.Replace(string(data), `chainId:`, `chainId: 0 &`, 1)), 0o644)
	out.Reset()
	cmd = newRootCommand()
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"vet", broken, "-o", "json"})
	err := cmd.Execute()
	if exit := (*exitError)(nil); !errors.As(err, &exit) || exit.code != 1 {
		t.Errorf("vet -o json of an invalid network: %v, want exit 1", err)
	}
	vet = vetReport{}
	if err := json.Unmarshal(out.Bytes(), &vet); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if vet.Valid || len(vet.Issues) == 0 || !strings.Contains(vet.Issues[0].Pos, "network.cue:") || !strings.Contains(vet.Issues[0].Path, "chainId") {
		t.Errorf("vet -o json of an invalid network: %+v", vet)
	}

	out.Reset()
	cmd = newRootCommand()
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--repo", root, "generate", "--check", "-o", "json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	var gen generateReport
	if err := json.Unmarshal(out.Bytes(), &gen); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !gen.Check || gen.Changed != 0 || gen.Files == nil || gen.Dirs == nil {
		t.Errorf("generate --check -o json of the committed tree: %+v", gen)
	}
}
