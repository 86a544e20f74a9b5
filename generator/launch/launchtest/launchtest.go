// Package launchtest builds launched networks for tests: the base network of the load
// tests (testenv.BaseNetwork), keyed, generated and launched, and a party joining it.
package launchtest

import (
	"testing"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// Repo returns a repository of the base network (alpha and beta, two validators
// each), with identities, generated, launched and generated again. Each edit replaces
// its first string, which must occur once, with its second before launch.
func Repo(t testing.TB, edits ...[2]string) string {
	t.Helper()
	repo := Unlaunched(t, edits...)
	if _, err := launch.Launch(repo); err != nil {
		t.Fatal(err)
	}
	Generate(t, repo)
	return repo
}

// Unlaunched is the base network with the edits applied, every node's keys made and
// the tree generated: the repository just before launch.
func Unlaunched(t testing.TB, edits ...[2]string) string {
	t.Helper()
	alpha, _ := testenv.AgeKey(t)
	beta, _ := testenv.AgeKey(t)
	repo := testenv.Repo(t, testenv.BaseNetwork(t, alpha.Recipient().String(), beta.Recipient().String()))
	for _, edit := range edits {
		testenv.EditNetwork(t, repo, edit[0], edit[1])
	}
	if _, err := keys.Init(repo, keys.InitOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	Generate(t, repo)
	return repo
}

// Generate renders the repository, failing the test on error.
func Generate(t testing.TB, repo string) {
	t.Helper()
	if _, err := generator.Generate(generator.Options{Repo: repo}); err != nil {
		t.Fatal(err)
	}
}

// JoinGamma adds party gamma with one validator (five validators, no party above the
// base network's 50 %), creates its identities and generates.
func JoinGamma(t testing.TB, repo string) {
	t.Helper()
	gamma, _ := testenv.AgeKey(t)
	testenv.AddParty(t, repo, "gamma", gamma.Recipient().String(), 1)
	if _, err := keys.Init(repo, keys.InitOptions{Party: "gamma"}); err != nil {
		t.Fatal(err)
	}
	Generate(t, repo)
}
