package load

import (
	"path/filepath"
	"reflect"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cueload "cuelang.org/go/cue/load"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// decodeNetwork goes through the value's JSON for speed; CUE's own Value.Decode is
// the second implementation it must agree with, on a Besu and a Fabric network.
func TestDecodeMatchesCUEDecode(t *testing.T) {
	for name, dir := range map[string]string{
		"besu":   filepath.Join(testenv.RepoRoot(t), "cue"),
		"fabric": testenv.Module(t, map[string]string{"network.cue": testenv.FabricExample(t)}),
	} {
		t.Run(name, func(t *testing.T) {
			instances := cueload.Instances([]string{"."}, &cueload.Config{Dir: dir})
			root := cuecontext.New().BuildInstance(instances[0])
			if err := root.Err(); err != nil {
				t.Fatal(err)
			}
			value := root.LookupPath(cue.MakePath(cue.Str(NetworkField)))
			var want, got model.Network
			if err := value.Decode(&want); err != nil {
				t.Fatal(err)
			}
			if err := decodeNetwork(value, &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Nodes) == 0 || len(got.Parties) == 0 {
				t.Fatalf("decoded %d nodes, %d parties", len(got.Nodes), len(got.Parties))
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("decoded through JSON:\n%+v\nwith Value.Decode:\n%+v", got, want)
			}
		})
	}
}
