package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	fluxledger "github.com/flux-ledger/flux-ledger"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// fabricRepo is a repository holding the embedded schema and the Fabric reference
// network, each party's recipient replaced by a fresh age key; it returns the repo and
// each party's age key file.
func fabricRepo(t *testing.T) (string, map[string]string) {
	t.Helper()
	repo := t.TempDir()
	put := func(rel string, data []byte) {
		p := filepath.Join(repo, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files := []string{"cue/cue.mod/module.cue", "cue/identities/doc.cue", "cue/msp/doc.cue"}
	entries, err := fluxledger.CUEModule.ReadDir("cue/schema")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		files = append(files, "cue/schema/"+e.Name())
	}
	for _, p := range files {
		data, err := fluxledger.CUEModule.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		put(p, data)
	}
	network, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "examples", "fabric", "network.cue"))
	if err != nil {
		t.Fatal(err)
	}
	keyFiles := map[string]string{}
	text := string(network)
	for party, old := range map[string]string{
		"contoso":   "age1a0wy2f3efug284a4r78kudc0jy03cmls0wfk52a5773d08v6446qx6u4av",
		"fabrikam":  "age10k2a9fa93fhfu7qj8htca6gwypm35juh5jg2zakgcjpcs8m4afaqm8w3eg",
		"northwind": "age1cn65f5s3ggkuay2jjyxxztxgx3qu9lrz5xxp2f673t7ftk0z23lq05tshu",
	} {
		id, file := testenv.AgeKey(t)
		keyFiles[party] = file
		text = strings.Replace(text, old, id.Recipient().String(), 1)
	}
	put("cue/network.cue", []byte(text))
	return repo, keyFiles
}

// The Fabric key commands from the binary: init for every party, a node added later
// (refused without the party's age key, in one line; issued with it), verify, and
// renew with its default window (nothing due) and a wider one in days.
func TestKeysOnFabricFromTheBinary(t *testing.T) {
	t.Setenv("SOPS_AGE_KEY_FILE", "")
	repo, keyFiles := fabricRepo(t)
	if out := mustRun(t, "--repo", repo, "keys", "init", "--all"); !strings.Contains(out, "wrote cue/msp/contoso.cue") || !strings.HasSuffix(out, "22 changed\n") {
		t.Fatalf("keys init --all:\n%s", out)
	}
	testenv.EditNetwork(t, repo,
		`"contoso-peer-1": {role: "peer", cluster: "contoso-aks-weu", image: peer}`,
		`"contoso-peer-1": {role: "peer", cluster: "contoso-aks-weu", image: peer}
		"contoso-peer-2": {role: "peer", cluster: "contoso-aks-weu", image: peer}`)
	_, stderr, code := run(t, "--repo", repo, "keys", "init", "--party", "contoso")
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "--identity") {
		t.Fatalf("keys init without an identity: exit %d\n%s", code, stderr)
	}
	if out := mustRun(t, "--repo", repo, "keys", "init", "--party", "contoso", "--identity", keyFiles["contoso"]); !strings.HasSuffix(out, "2 changed\n") {
		t.Fatalf("keys init of the new node:\n%s", out)
	}
	if out := mustRun(t, "--repo", repo, "keys", "verify", "--party", "contoso", "--identity", keyFiles["contoso"]); !strings.Contains(out, "every node key matches") {
		t.Errorf("keys verify: %s", out)
	}
	if out := mustRun(t, "--repo", repo, "keys", "renew", "--party", "contoso", "--identity", keyFiles["contoso"]); out != "0 changed\n" {
		t.Errorf("keys renew with nothing due:\n%s", out)
	}
	if out := mustRun(t, "--repo", repo, "keys", "renew", "--party", "contoso", "--within", "400d", "--identity", keyFiles["contoso"]); !strings.HasSuffix(out, "4 changed\n") {
		t.Errorf("keys renew --within 400d (admin and three nodes):\n%s", out)
	}
	if _, stderr, code := run(t, "--repo", repo, "keys", "renew", "--party", "contoso", "--within", "soon"); code == 0 || !strings.Contains(stderr, "--within") {
		t.Errorf("keys renew --within soon: exit %d\n%s", code, stderr)
	}
}
