package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// TestFabricInitToLaunchWithTheBinaryOnly is a Fabric consortium's first hour, with the
// built binary alone: init a Fabric repository for three parties, vet it (valid; only
// the placeholders it wrote are warned of), make every party's MSP and every node's
// certificates, generate, and launch — kept as an example, refused while placeholders
// remain, then launched with --allow-placeholders; with the real values written in
// first, launched with no flag. Each launch freezes the channel's genesis block and
// renders the Jobs that join every orderer and peer to it.
func TestFabricInitToLaunchWithTheBinaryOnly(t *testing.T) {
	repo := filepath.Join(t.TempDir(), "tradechain")
	args := []string{"init", repo, "--name", "tradechain", "--platform", "fabric"}
	parties := []string{"contoso", "fabrikam", "northwind"}
	for _, party := range parties {
		id, _ := testenv.AgeKey(t)
		args = append(args, "--party", party+"="+id.Recipient().String(), "--reviewer", party+"=@"+party+"-ops")
	}
	mustRun(t, args...)
	t.Run("the real cue CLI accepts the starter network", func(t *testing.T) {
		cmd := exec.Command(testenv.Tool(t, "cue"), "vet", "-c", "./...")
		cmd.Dir = filepath.Join(repo, "cue")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("cue vet -c ./...: %v\n%s", err, out)
		}
	})

	// Valid, 3 parties, 3 clusters, 3 orderers and 3 peers; warned of the repository
	// URL and, per party, its contact, DNS suffix and egress CIDR.
	stdout, stderr, code := run(t, "--repo", repo, "vet")
	if code != 0 || !strings.Contains(stdout, `network "tradechain" is valid (3 parties, 3 clusters, 6 nodes)`) {
		t.Fatalf("vet of the Fabric starter: exit %d\n%s%s", code, stdout, stderr)
	}
	if warnings := strings.Split(strings.TrimSpace(stderr), "\n"); len(warnings) != 1+3*3 || strings.Count(stderr, ": placeholder ") != len(warnings) {
		t.Errorf("vet of the Fabric starter: %d warnings, want 10 placeholders:\n%s", len(warnings), stderr)
	}

	if !strings.Contains(stderr, "before flux-ledger keys init (each node's TLS certificate names it") {
		t.Errorf("vet does not say the DNS suffixes come before keys init on Fabric:\n%s", stderr)
	}

	// An example network keeps its placeholders: launch refuses it, then launches it
	// with --allow-placeholders.
	example := filepath.Join(t.TempDir(), "example")
	testenv.CopyDir(t, repo, example)
	keyed(t, example, parties)
	_, stderr, code = run(t, "--repo", example, "launch")
	if code != 1 || !strings.Contains(stderr, "launch refused, nothing written: 10 placeholder values remain") {
		t.Errorf("launch of the Fabric starter: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(example, "cue", "genesis.cue")); !os.IsNotExist(err) {
		t.Fatalf("a refused launch wrote cue/genesis.cue (%v)", err)
	}
	launched(t, example, parties, "--allow-placeholders")

	// A consortium writes its real values first (the DNS suffixes before keys init:
	// every node's TLS certificate names its endpoint), then launches with no flag.
	network := filepath.Join(repo, "cue", "network.cue")
	data, err := os.ReadFile(network)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "https://git.example.com/tradechain/network.git", "https://github.com/contoso/tradechain.git", 1)
	for i, party := range parties {
		edited = strings.Replace(edited, "ledger-ops@"+party+".example", "ledger-ops@"+party+"-bank.eu", 1)
		edited = strings.Replace(edited, "tradechain."+party+".example", "ledger."+party+"-bank.eu", 1)
		edited = strings.Replace(edited, fmt.Sprintf("192.0.2.%d/32", i+1), fmt.Sprintf("20.50.%d.0/28", i+1), 1)
	}
	if err := os.WriteFile(network, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(t, "--repo", repo, "vet"); code != 0 || stderr != "" {
		t.Fatalf("vet with the real values: exit %d, %s", code, stderr)
	}
	keyed(t, repo, parties)
	launched(t, repo, parties)
}

// keyed makes every party's MSP and every node's certificates, and generates.
func keyed(t *testing.T, repo string, parties []string) {
	t.Helper()
	mustRun(t, "--repo", repo, "keys", "init", "--all")
	for _, party := range parties {
		for _, file := range []string{"cue/msp/" + party + ".cue", "cue/identities/" + party + "-orderer-1.cue", "cue/identities/" + party + "-peer-1.cue"} {
			if _, err := os.Stat(filepath.Join(repo, file)); err != nil {
				t.Errorf("keys init --all did not write %s: %v", file, err)
			}
		}
	}
	mustRun(t, "--repo", repo, "generate")
	if out := mustRun(t, "--repo", repo, "generate", "--check"); !strings.Contains(out, "0 changed") {
		t.Errorf("generate --check after generate: %s", out)
	}
}

// launched launches the Fabric repository with the given flags and checks that the
// channel's block is frozen and that every party's cluster then has the Jobs joining
// its orderers and peers to the channel, and nothing left to generate.
func launched(t *testing.T, repo string, parties []string, flags ...string) {
	t.Helper()
	if out := mustRun(t, append([]string{"--repo", repo, "launch"}, flags...)...); !strings.Contains(out, "genesis blocks frozen for 1 channels: tradechain") {
		t.Errorf("launch %v: %s", flags, out)
	}
	mustRun(t, "--repo", repo, "generate")
	for _, party := range parties {
		for _, node := range []string{party + "-orderer-1", party + "-peer-1"} {
			job := filepath.Join(repo, "parties", party, "clusters", party+"-cluster", "jobs", "join-"+node+"-tradechain.yaml")
			if _, err := os.Stat(job); err != nil {
				t.Errorf("launch %v: no Job joins %s to the channel: %v", flags, node, err)
			}
		}
	}
	if out := mustRun(t, "--repo", repo, "generate", "--check"); !strings.Contains(out, "0 changed") {
		t.Errorf("launch %v: generate --check after generate: %s", flags, out)
	}
}
