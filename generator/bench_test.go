package generator_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// synthRepo is a generated repository of n synthetic parties, shared by benchmarks.
func synthRepo(b *testing.B, n int) string {
	b.Helper()
	repo := testenv.Repo(b, testenv.Synth(b, n))
	if _, err := keys.Init(repo, keys.InitOptions{All: true}); err != nil {
		b.Fatal(err)
	}
	if _, err := generator.Generate(generator.Options{Repo: repo}); err != nil {
		b.Fatal(err)
	}
	return repo
}

var benchSizes = []int{30, 300}

// BenchmarkLoad is CUE evaluation, validation and decoding: the generator's floor.
func BenchmarkLoad(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("parties=%d", n), func(b *testing.B) {
			repo := synthRepo(b, n)
			for b.Loop() {
				if _, err := load.Network(filepath.Join(repo, "cue")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRender renders the whole desired tree in memory.
func BenchmarkRender(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("parties=%d", n), func(b *testing.B) {
			result, err := load.Network(filepath.Join(synthRepo(b, n), "cue"))
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := render.Render(result.Network); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDiff compares an up-to-date desired tree with the disk (the no-op path).
func BenchmarkDiff(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("parties=%d", n), func(b *testing.B) {
			repo := synthRepo(b, n)
			desired := renderRepo(b, repo)
			for b.Loop() {
				changes, err := tree.Diff(repo, desired, generator.Ownership, false)
				if err != nil || len(changes) != 0 {
					b.Fatalf("diff: %v, %d changes", err, len(changes))
				}
			}
		})
	}
}

// BenchmarkGenerateNoop is a whole no-op generate: load, check, render, diff.
func BenchmarkGenerateNoop(b *testing.B) {
	repo := synthRepo(b, 300)
	for b.Loop() {
		report, err := generator.Generate(generator.Options{Repo: repo})
		if err != nil || len(report.Changes) != 0 {
			b.Fatalf("generate: %v, %d changes", err, len(report.Changes))
		}
	}
}
