package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// channels sign from the binary: with the party's age key from SOPS_AGE_KEY_FILE it
// records contoso's signature of northwind joining and says what the update still needs; without any age
// key it refuses in one line with exit 1.
func TestChannelsSignFromTheBinary(t *testing.T) {
	t.Setenv("SOPS_AGE_KEY_FILE", "")
	repo, keyFiles := fabricRepo(t)
	// Launched with contoso and fabrikam, then northwind joins.
	testenv.EditNetwork(t, repo, "// members default to every party, consenters to every orderer.", `members: ["contoso", "fabrikam"]`)
	mustRun(t, "--repo", repo, "keys", "init", "--all")
	mustRun(t, "--repo", repo, "generate")
	mustRun(t, "--repo", repo, "launch", "--allow-placeholders")
	testenv.EditNetwork(t, repo, `members: ["contoso", "fabrikam"]`, "// members default to every party")

	_, stderr, code := run(t, "--repo", repo, "channels", "sign", "--channel", "trade", "--party", "contoso")
	if code != 1 || !strings.HasPrefix(stderr, "flux-ledger: ") || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "--identity") {
		t.Errorf("without an age key: exit %d, stderr %q", code, stderr)
	}

	t.Setenv("SOPS_AGE_KEY_FILE", keyFiles["contoso"])
	out := mustRun(t, "--repo", repo, "channels", "sign", "--channel", "trade", "--party", "contoso")
	want := "wrote cue/signatures_contoso.cue\n" +
		"party contoso signed channels/trade/updates/1-add-northwind.pb (config sequence 1)\n" +
		"/Channel/Application/Admins (MAJORITY Admins): signed by contoso; needs 1 more of: fabrikam\n"
	if out != want {
		t.Errorf("channels sign:\n%s\nwant:\n%s", out, want)
	}
	// The recorded signature is part of the model the schema checks.
	mustRun(t, "vet", filepath.Join(repo, "cue"))
	if out := mustRun(t, "--repo", repo, "channels", "sign", "--channel", "trade", "--party", "contoso"); !strings.HasPrefix(out, "party contoso has already signed channels/trade/updates/1-add-northwind.pb") {
		t.Errorf("signing again:\n%s", out)
	}
}
