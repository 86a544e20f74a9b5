package manifest_test

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/manifest"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// cpuTime is the process's user plus system time so far (getrusage): on a shared
// machine it moves less with the other load than wall time does.
func cpuTime(b *testing.B) time.Duration {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		b.Fatal(err)
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}

// BenchmarkRenderEncoding renders the synthetic 30-party Besu network through the
// real renderers with each encoding, for benchstat comparisons of the two (with the
// CPU time per render beside the wall time):
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
			before := cpuTime(b)
			for b.Loop() {
				if _, err := render.Render(result.Network); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime(b)-before).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}
