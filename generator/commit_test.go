package generator_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/gitops"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/plan"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

var alice = &object.Signature{Name: "Alice", Email: "alice@alpha.example", When: time.Unix(1_800_000_000, 0)}

// gitRepo is a generated repository with one commit holding everything.
func gitRepo(t *testing.T) (string, *git.Repository) {
	t.Helper()
	repo := newRepo(t)
	generate(t, repo)
	g, err := git.PlainInit(repo, false)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(repo, ".gitignore"), []byte(".flux-ledger.lock\n"), 0o644)
	wt, _ := g.Worktree()
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Commit("network", &git.CommitOptions{Author: alice}); err != nil {
		t.Fatal(err)
	}
	return repo, g
}

func planAgainstHEAD(t *testing.T, repo string, g *git.Repository) *plan.Plan {
	t.Helper()
	head, err := gitops.Resolve(g, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	before, err := gitops.NetworkAt(head)
	if err != nil {
		t.Fatal(err)
	}
	after, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compute("HEAD", before, after.Network)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func text(p *plan.Plan) string {
	var b bytes.Buffer
	p.Text(&b)
	return b.String()
}

func TestPlan(t *testing.T) {
	t.Run("add a node", func(t *testing.T) {
		repo, g := gitRepo(t)
		testenv.EditNetwork(t, repo, `"beta-v2": {`, `"beta-m1": {role: "member", cluster: "beta-onprem", image: "docker.io/hyperledger/besu:24.12.2", ports: p2p: 30305}
		"beta-v2": {`)
		if _, err := keys.Init(repo, keys.InitOptions{Party: "beta"}); err != nil {
			t.Fatal(err)
		}
		p := planAgainstHEAD(t, repo, g)
		out := text(p)
		for _, want := range []string{"added    node    beta-m1 (party beta)", "parties/beta", "peer lists updated in 2 parties"} {
			if !strings.Contains(out, want) {
				t.Errorf("plan lacks %q:\n%s", want, out)
			}
		}
		if strings.Join(p.PartiesChanged, ",") != "alpha,beta" || len(p.Refused) != 0 {
			t.Errorf("parties %v, refused %v", p.PartiesChanged, p.Refused)
		}
	})
	t.Run("change a node and remove one", func(t *testing.T) {
		repo, g := gitRepo(t)
		testenv.EditNetwork(t, repo, `"alpha-rpc": {role: "rpc",`, `"alpha-rpc": {resources: limits: memory: "8Gi", role: "rpc",`)
		p := planAgainstHEAD(t, repo, g)
		if len(p.Changes) != 1 || p.Changes[0].Action != "changed" || strings.Join(p.Changes[0].Fields, ",") != "resources.limits.memory" {
			t.Errorf("changes %+v", p.Changes)
		}
		if strings.Join(p.PartiesChanged, ",") != "alpha" {
			t.Errorf("parties changed %v, want alpha only", p.PartiesChanged)
		}
	})
	t.Run("add a party", func(t *testing.T) {
		repo, g := gitRepo(t)
		gamma, _ := newAgeRecipient(t)
		testenv.EditNetwork(t, repo, "\tbeta: {", `	gamma: {displayName: "Gamma", contact: "ops@gamma.example", recipients: ["`+gamma+`"], reviewers: ["ops@gamma.example"]}
		beta: {`)
		testenv.EditNetwork(t, repo, "\t\"beta-onprem\": {", `	"gamma-gke": {party: "gamma", provider: "gke", region: "westeurope", gitops: mode: "flux", exposure: {mode: "loadbalancer", dnsSuffix: "gamma.example"}, egressCIDRs: ["192.0.2.0/28"]}
		"beta-onprem": {`)
		testenv.EditNetwork(t, repo, `"beta-v2": {`, `"gamma-m1": {role: "member", cluster: "gamma-gke", image: "docker.io/hyperledger/besu:24.12.2"}
		"beta-v2": {`)
		p := planAgainstHEAD(t, repo, g)
		out := text(p)
		for _, want := range []string{"added    party   gamma", "added    cluster gamma-gke", "added    node    gamma-m1", "REFUSED", "node gamma-m1 has no identity: flux-ledger keys init --party gamma"} {
			if !strings.Contains(out, want) {
				t.Errorf("plan lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("consensus parameters", func(t *testing.T) {
		repo, g := gitRepo(t)
		testenv.EditNetwork(t, repo, `consensus: algorithm: "qbft"`, `consensus: {algorithm: "qbft", blockPeriodSeconds: 5}`)
		p := planAgainstHEAD(t, repo, g)
		if strings.Join(p.Consensus, ",") != "blockPeriodSeconds" {
			t.Errorf("consensus changes %v", p.Consensus)
		}
		if !strings.Contains(text(p), "genesis changes in every party") {
			t.Errorf("no genesis consequence:\n%s", text(p))
		}
	})
	t.Run("a launched network keeps its genesis block", func(t *testing.T) {
		repo, g := gitRepo(t)
		if _, err := launch.Launch(repo); err != nil {
			t.Fatal(err)
		}
		generate(t, repo)
		wt, _ := g.Worktree()
		wt.AddWithOptions(&git.AddOptions{All: true})
		if _, err := wt.Commit("launch", &git.CommitOptions{Author: alice}); err != nil {
			t.Fatal(err)
		}

		// A new key for a validator is two validator changes (the old address out,
		// the new one in): refused until done in two steps.
		if _, err := keys.Init(repo, keys.InitOptions{Party: "beta", Rotate: []string{"beta-v1"}}); err == nil {
			t.Fatal("rotating a validator's key in one step was accepted")
		} else if !strings.Contains(err.Error(), "key rotation is the old key out, then the new one in") {
			t.Errorf("rotation refused with: %v", err)
		}

		// A forged genesis record: plan refuses it, and generate will not hand the
		// nodes another block 0.
		record := filepath.Join(repo, launch.GenesisRecord)
		data, _ := os.ReadFile(record)
		forged := strings.Replace(string(data), `"gasLimit": "0x1fffffffffffff"`, `"gasLimit": "0x2fffffffffffff"`, 1)
		if forged == string(data) {
			t.Fatal("no gasLimit in the genesis record")
		}
		os.WriteFile(record, []byte(forged), 0o644)
		p := planAgainstHEAD(t, repo, g)
		if out := text(p); !strings.Contains(out, "frozen genesis (cue/genesis.cue) changes") || !strings.Contains(out, "genesis block would change") {
			t.Errorf("plan of a forged genesis record:\n%s", out)
		}
		if _, err := generator.Generate(generator.Options{Repo: repo}); err == nil || !strings.Contains(err.Error(), "genesis block is frozen") {
			t.Errorf("generate of a forged genesis record: %v", err)
		}
	})
}

func newAgeRecipient(t *testing.T) (string, string) {
	id, file := testenvAgeKey(t)
	return id, file
}

func TestCommitTrailersRoundTripThroughAudit(t *testing.T) {
	repo, g := gitRepo(t)
	testenv.EditNetwork(t, repo, `"alpha-rpc": {role: "rpc",`, `"alpha-rpc": {resources: limits: memory: "8Gi", role: "rpc",`)
	report := generate(t, repo)
	hash, err := generator.Commit(report, generator.CommitOptions{Repo: repo, IncludeInputs: true, Author: alice, GeneratorVersion: "v-test"})
	if err != nil {
		t.Fatal(err)
	}
	commit, _ := g.CommitObject(plumbing.NewHash(hash))
	if !strings.HasPrefix(commit.Message, "flux-ledger: change node alpha-rpc") {
		t.Errorf("subject: %q", commit.Message)
	}
	files, _ := commit.Stats()
	var changed []string
	for _, f := range files {
		changed = append(changed, f.Name)
	}
	if strings.Join(changed, ",") != "cue/network.cue,parties/alpha/nodes/alpha-rpc/node.yaml" {
		t.Errorf("commit changed %v", changed)
	}
	entries, err := gitops.Audit(g, gitops.AuditOptions{Party: "alpha"})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 || entries[0].Commit != hash || entries[0].Source != "trailers" || strings.Join(entries[0].Parties, ",") != "alpha" || entries[0].Author != "Alice" {
		t.Fatalf("audit: %+v", entries)
	}
	result, _ := load.Network(filepath.Join(repo, "cue"))
	if entries[0].Digest != gitops.Digest(result.Network) {
		t.Errorf("digest trailer %s, network %s", entries[0].Digest, gitops.Digest(result.Network))
	}
	if beta, _ := gitops.Audit(g, gitops.AuditOptions{Party: "beta"}); len(beta) != 1 || beta[0].Source != "cue-diff" {
		t.Errorf("beta's history should be the initial commit only, found by its cue diff: %+v", beta)
	}
}

func TestCommitRefusesUnrelatedStagedChanges(t *testing.T) {
	repo, g := gitRepo(t)
	os.WriteFile(filepath.Join(repo, "NOTES.md"), []byte("unrelated\n"), 0o644)
	wt, _ := g.Worktree()
	wt.Add("NOTES.md")
	testenv.EditNetwork(t, repo, `"alpha-rpc": {role: "rpc",`, `"alpha-rpc": {resources: limits: memory: "8Gi", role: "rpc",`)
	report := generate(t, repo)
	_, err := generator.Commit(report, generator.CommitOptions{Repo: repo, Author: alice})
	if err == nil || !strings.Contains(err.Error(), "unrelated changes are staged (NOTES.md)") {
		t.Fatalf("err = %v", err)
	}
	head, _ := gitops.Resolve(g, "HEAD")
	if head.Message != "network" {
		t.Error("a refused commit was made")
	}
}

func TestSignedCommitsVerifyAndTamperedOnesDoNot(t *testing.T) {
	repo, g := gitRepo(t)
	entity, keyring := testenv.PGPKey(t, "Alice", "alice@alpha.example")

	testenv.EditNetwork(t, repo, `"alpha-rpc": {role: "rpc",`, `"alpha-rpc": {resources: limits: memory: "8Gi", role: "rpc",`)
	report := generate(t, repo)
	if _, err := generator.Commit(report, generator.CommitOptions{Repo: repo, IncludeInputs: true, Author: alice, SignKey: entity}); err != nil {
		t.Fatal(err)
	}
	entries, err := gitops.Audit(g, gitops.AuditOptions{VerifySignatures: true, Keyring: keyring})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(entries[0].Signature, "good") || entries[1].Signature != "unsigned" {
		t.Fatalf("signatures: %q, %q", entries[0].Signature, entries[1].Signature)
	}

	// Rewrite the signed commit's message, keep its signature, and move HEAD to it.
	head, _ := gitops.Resolve(g, "HEAD")
	tampered := *head
	tampered.Message = strings.Replace(head.Message, "alpha", "beta", 1)
	obj := g.Storer.NewEncodedObject()
	if err := tampered.Encode(obj); err != nil {
		t.Fatal(err)
	}
	hash, err := g.Storer.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := g.Head()
	g.Storer.SetReference(plumbing.NewHashReference(ref.Name(), hash))
	entries, err = gitops.Audit(g, gitops.AuditOptions{VerifySignatures: true, Keyring: keyring})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(entries[0].Signature, "bad") {
		t.Fatalf("tampered commit verified: %q", entries[0].Signature)
	}
}

func testenvAgeKey(t *testing.T) (string, string) {
	id, file := testenv.AgeKey(t)
	return id.Recipient().String(), file
}
