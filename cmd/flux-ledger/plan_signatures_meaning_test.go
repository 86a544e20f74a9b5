package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// signingRepo is a network repository under Git whose first commit is the base of
// the change under test, with an OpenPGP key per party and its keyring file.
type signingRepo struct {
	dir   string
	wt    *git.Worktree
	base  plumbing.Hash
	keys  map[string]*openpgp.Entity
	rings []string // --keyring PARTY=FILE flags
}

func newSigningRepo(t *testing.T, dir string, parties ...string) *signingRepo {
	t.Helper()
	g, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, _ := g.Worktree()
	r := &signingRepo{dir: dir, wt: wt, keys: map[string]*openpgp.Entity{}}
	for _, p := range parties {
		entity, ring := testenv.PGPKey(t, p, "ops@"+p+".example")
		file := filepath.Join(t.TempDir(), p+".asc")
		if err := os.WriteFile(file, []byte(ring), 0o644); err != nil {
			t.Fatal(err)
		}
		r.keys[p] = entity
		r.rings = append(r.rings, "--keyring", p+"="+file)
	}
	r.base = r.commit(t, "network", "")
	return r
}

// commit commits every change, signed by party's key ("" for unsigned).
func (r *signingRepo) commit(t *testing.T, msg, party string) plumbing.Hash {
	t.Helper()
	if err := r.wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	author := party
	if author == "" {
		author = "unsigned"
	}
	h, err := r.wt.Commit(msg, &git.CommitOptions{
		Author:  &object.Signature{Name: author, Email: author + "@x", When: time.Now()},
		SignKey: r.keys[party],
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// recommit replaces the commits since the base with one commit of the same tree,
// signed by party.
func (r *signingRepo) recommit(t *testing.T, msg, party string) {
	t.Helper()
	if err := r.wt.Reset(&git.ResetOptions{Commit: r.base, Mode: git.SoftReset}); err != nil {
		t.Fatal(err)
	}
	r.commit(t, msg, party)
}

func (r *signingRepo) plan(t *testing.T) (string, int) {
	t.Helper()
	args := append([]string{"--repo", r.dir, "plan", "--base", r.base.String(), "--require-signatures"}, r.rings...)
	out, errOut, code := run(t, args...)
	return out + errOut, code
}

// expectOwnerSignature commits the change in r's working tree signed by attacker
// only and expects the plan refused by a line naming field and owner; the same tree
// signed by owner passes.
func expectOwnerSignature(t *testing.T, r *signingRepo, attacker, owner, field string) {
	t.Helper()
	r.commit(t, "change by "+attacker, attacker)
	out, code := r.plan(t)
	want := field + " (party " + owner + ") "
	if code != 1 || !strings.Contains(out, want) || !strings.Contains(out, "not signed by "+owner+": its signature is not by a "+owner+" key") {
		t.Fatalf("signed by %s only: exit %d, want a refusal with %q\n%s", attacker, code, want, out)
	}
	r.recommit(t, "change by "+owner, owner)
	if out, code := r.plan(t); code != 0 {
		t.Fatalf("signed by %s: exit %d\n%s", owner, code, out)
	}
}

// Each way party alpha can change party beta's things without touching beta's files —
// from cue/network.cue, or in beta's cluster directory — is refused unless beta signs.
func TestPlanRequireSignaturesAttributesChangesByMeaning(t *testing.T) {
	routes := []struct {
		name, field string
		change      func(t *testing.T, repo string)
	}{
		{"identity overridden from network.cue", "identities.beta-v1.address", func(t *testing.T, repo string) {
			// CUE unifies every file of the package: network.cue can drop beta-v1's
			// identity file from the import and declare its own.
			key, err := identity.Generate()
			if err != nil {
				t.Fatal(err)
			}
			id := identity.Public(key)
			testenv.EditNetwork(t, repo, "identities: ids", `identities: {
		for name, v in ids if name != "beta-v1" {(name): v}
		"beta-v1": {address: "`+id.Address+`", publicKey: "`+id.PublicKey+`"}
	}`)
			generate(t, repo)
		}},
		{"recipients", "parties.beta.recipients", func(t *testing.T, repo string) {
			mallory, _ := testenv.AgeKey(t)
			network, _ := os.ReadFile(filepath.Join(repo, "cue", "network.cue"))
			beta := strings.SplitN(strings.SplitN(string(network), "beta: {", 2)[1], "recipients: [", 2)[1]
			beta = beta[:strings.Index(beta, "]")]
			testenv.EditNetwork(t, repo, "recipients: ["+beta+"]", "recipients: [\""+mallory.Recipient().String()+"\"]")
		}},
		{"reviewers", "parties.beta.reviewers", func(t *testing.T, repo string) {
			testenv.EditNetwork(t, repo, `reviewers: ["ops@beta.example"]`, `reviewers: ["@mallory"]`)
			generate(t, repo)
		}},
		{"cluster field", "clusters.beta-onprem.egressCIDRs", func(t *testing.T, repo string) {
			testenv.EditNetwork(t, repo, `egressCIDRs: ["198.51.100.0/28"]`, `egressCIDRs: ["203.0.113.64/26"]`)
			generate(t, repo)
		}},
		{"flux-system file", "clusters/beta-onprem/flux-system/gotk-components.yaml", func(t *testing.T, repo string) {
			backdoor := "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: alpha-admin\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: User\n  name: mallory@alpha.example\n"
			file := filepath.Join(repo, "clusters", "beta-onprem", "flux-system", "gotk-components.yaml")
			if err := os.WriteFile(file, []byte(backdoor), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, route := range routes {
		t.Run(route.name, func(t *testing.T) {
			r := newSigningRepo(t, generatedRepo(t), "alpha", "beta")
			route.change(t, r.dir)
			expectOwnerSignature(t, r, "alpha", "beta", route.field)
		})
	}
}

// A Fabric party's whole MSP — CA, TLS CA, admin and node certificates — replaced by
// another party with material it minted is refused unless the owner signs.
func TestPlanRequireSignaturesRefusesAnotherPartysMSP(t *testing.T) {
	t.Setenv("SOPS_AGE_KEY_FILE", "")
	repo, _ := fabricRepo(t)
	mustRun(t, "--repo", repo, "keys", "init", "--all")
	generate(t, repo)
	r := newSigningRepo(t, repo, "contoso", "fabrikam")

	minted, _ := fabricRepo(t)
	mustRun(t, "--repo", minted, "keys", "init", "--all")
	msp, err := os.ReadFile(filepath.Join(minted, "cue", "msp", "contoso.cue"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "cue", "msp", "contoso.cue"), msp, 0o644); err != nil {
		t.Fatal(err)
	}
	// The node certificates must chain to the new CAs: network.cue drops contoso's
	// identity files from the import and declares the minted ones.
	var nodes strings.Builder
	for _, node := range []string{"contoso-orderer-1", "contoso-peer-1"} {
		data, err := os.ReadFile(filepath.Join(minted, "cue", "identities", node+".cue"))
		if err != nil {
			t.Fatal(err)
		}
		_, decl, _ := strings.Cut(string(data), "package identities\n")
		nodes.WriteString(decl)
	}
	testenv.EditNetwork(t, repo, "identities: ids", `identities: {
		for name, v in ids if name != "contoso-orderer-1" && name != "contoso-peer-1" {(name): v}
		`+nodes.String()+`
	}`)
	expectOwnerSignature(t, r, "fabrikam", "contoso", "msp.contoso.caCert")
}

func generate(t *testing.T, repo string) {
	t.Helper()
	if out, errOut, code := run(t, "--repo", repo, "generate"); code != 0 {
		t.Fatalf("generate: exit %d\n%s%s", code, out, errOut)
	}
}

// An uncommitted change of another party's cluster carries no signature: refused,
// naming the field and the party.
func TestPlanRequireSignaturesRefusesAnUncommittedChangeOfAnotherPartys(t *testing.T) {
	r := newSigningRepo(t, generatedRepo(t), "alpha", "beta")
	testenv.EditNetwork(t, r.dir, `egressCIDRs: ["198.51.100.0/28"]`, `egressCIDRs: ["203.0.113.64/26"]`)
	out, code := r.plan(t)
	if code != 1 || !strings.Contains(out, "clusters.beta-onprem.egressCIDRs (party beta) has an uncommitted change") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}
