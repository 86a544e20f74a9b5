package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// launch refuses a network that still holds placeholders, on one line that names every
// field holding one, exits 1 and writes nothing; once the consortium has written its
// real values, the same repository launches without any flag.
func TestLaunchRefusesPlaceholders(t *testing.T) {
	repo := generatedRepo(t)
	network := filepath.Join(repo, "cue", "network.cue")
	before, err := os.ReadFile(network)
	if err != nil {
		t.Fatal(err)
	}

	out, errOut, code := run(t, "--repo", repo, "launch")
	line := strings.TrimSpace(errOut)
	if code != 1 || strings.Contains(line, "\n") || out != "" {
		t.Fatalf("launch with placeholders: exit %d, stdout %q, stderr %q; want exit 1 and one line", code, out, errOut)
	}
	// The base network (generator/load/testdata/base.cue) holds nine: the repository
	// URL on git.example.com, two contacts and two reviewers under .example, two DNS
	// suffixes under .example and two egress CIDRs in TEST-NET-3 and TEST-NET-2.
	for _, want := range []string{"launch refused, nothing written: 9 placeholder values remain",
		"network.repository.url", "network.parties.alpha.contact", "network.parties.beta.reviewers.0",
		`network.clusters."alpha-aks".egressCIDRs.0`, `network.clusters."beta-onprem".exposure.dnsSuffix`, "--allow-placeholders"} {
		if !strings.Contains(line, want) {
			t.Errorf("launch refusal %q does not say %q", line, want)
		}
	}
	for _, record := range []string{"genesis.cue", "validators.cue"} {
		if _, err := os.Stat(filepath.Join(repo, "cue", record)); !os.IsNotExist(err) {
			t.Errorf("a refused launch wrote cue/%s (%v)", record, err)
		}
	}
	if after, _ := os.ReadFile(network); string(after) != string(before) {
		t.Error("a refused launch changed cue/network.cue")
	}

	data := string(before)
	for _, r := range [][2]string{
		{`"https://git.example.com/testnet.git"`, `"https://github.com/alpha-bank/testnet.git"`},
		{`"ops@alpha.example"`, `"ops@alpha-bank.eu"`},
		{`"ops@beta.example"`, `"ops@beta-freight.de"`},
		{`"alpha.example"`, `"ledger.alpha-bank.eu"`},
		{`"beta.example"`, `"ledger.beta-freight.de"`},
		{`"203.0.113.0/28"`, `"20.50.1.0/28"`},
		{`"198.51.100.0/28"`, `"34.89.0.0/28"`},
	} {
		data = strings.ReplaceAll(data, r[0], r[1])
	}
	if err := os.WriteFile(network, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := run(t, "vet", filepath.Join(repo, "cue")); code != 0 || strings.Contains(errOut, "placeholder") {
		t.Fatalf("vet after the real values: exit %d\n%s", code, errOut)
	}
	mustRun(t, "--repo", repo, "generate")
	if out := mustRun(t, "--repo", repo, "launch"); !strings.Contains(out, "wrote cue/genesis.cue") {
		t.Errorf("launch of the real network: %s", out)
	}
}
