package main

import (
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// fabricRepo is a repository of the Fabric reference network, each party's recipient
// replaced by a fresh age key; it returns the repo and each party's age key file.
func fabricRepo(t *testing.T) (string, map[string]string) {
	t.Helper()
	repo, partyKeys := testenv.FabricRepo(t)
	keyFiles := map[string]string{}
	for party, k := range partyKeys {
		keyFiles[party] = k.File
	}
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
