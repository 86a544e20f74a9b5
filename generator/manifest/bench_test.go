package manifest_test

import (
	"path/filepath"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/manifest"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// BenchmarkRenderEncoding renders the synthetic 30-party Besu network through the
// real renderers with each encoding, for benchstat comparisons of the two:
// go test -run '^$' -bench RenderEncoding -benchmem ./generator/manifest/
func BenchmarkRenderEncoding(b *testing.B) {
	repo := testenv.Repo(b, testenv.Synth(b, 30))
	if _, err := keys.Init(repo, keys.InitOptions{All: true}); err != nil {
		b.Fatal(err)
	}
	result, err := load.Network(filepath.Join(repo, "cue"))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		reference bool
	}{{"encoding=reference", true}, {"encoding=fast", false}} {
		b.Run(c.name, func(b *testing.B) {
			manifest.SetReference(c.reference)
			defer manifest.SetReference(false)
			for b.Loop() {
				if _, err := render.Render(result.Network); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
