package lifecycle

import (
	"bytes"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/manifest"
)

// The same network renders the same bytes: the tree is at rest when nothing changed.
func TestRenderIsDeterministic(t *testing.T) {
	encode := func() map[string][]byte {
		out := map[string][]byte{}
		n := testNetwork()
		for _, party := range n.PartyNames() {
			for file, obj := range render(t, n, party) {
				data, err := manifest.Encode(obj)
				if err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				out[party+"/"+file] = data
			}
		}
		return out
	}
	first := encode()
	for range 3 {
		again := encode()
		if len(again) != len(first) {
			t.Fatalf("%d files, then %d", len(first), len(again))
		}
		for file, data := range first {
			if !bytes.Equal(data, again[file]) {
				t.Errorf("%s differs between renders", file)
			}
		}
	}
}
