package load_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// FuzzNetworkErrors feeds arbitrary network.cue sources through load and its CUE error
// formatting: no panic, and a rejection is one or more non-empty lines.
func FuzzNetworkErrors(f *testing.F) {
	f.Add([]byte(readBaseF(f)))
	dir := testenv.Module(f, map[string]string{"network.cue": "package network\n"})
	f.Fuzz(func(t *testing.T, src []byte) {
		if err := os.WriteFile(filepath.Join(dir, "network.cue"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := load.Network(dir)
		if err == nil {
			return
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if strings.TrimSpace(line) == "" {
				t.Errorf("empty line in error %q", err)
			}
		}
	})
}

func readBaseF(f *testing.F) string {
	data, err := os.ReadFile("testdata/base.cue")
	if err != nil {
		f.Fatal(err)
	}
	return string(data)
}
