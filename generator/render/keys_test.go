package render_test

import (
	"maps"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/keys"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
	"github.com/flux-ledger/flux-ledger/generator/tree"
)

// localEdits change each field of render.LocalNodeFields on one node, every part of
// it at once, to values no synthetic network uses.
var localEdits = map[string]func(*model.Node){
	"Image": func(n *model.Node) { n.Image += "-edited" },
	"Resources": func(n *model.Node) {
		n.Resources = model.Resources{
			Requests: model.ResourceList{CPU: "1500m", Memory: "3Gi"},
			Limits:   model.ResourceList{CPU: "7", Memory: "9Gi"},
		}
	},
	"Storage": func(n *model.Node) {
		n.Storage = model.Storage{Class: "edited-class", Size: "777Gi", Format: model.StorageForest}
	},
}

// TestLocalNodeFieldsChangeOnlyTheirPartysUnits is what lets generate skip every
// other party when one node's local fields change (keys.go): it edits each of them
// on one node and checks that no file of another party's units changes. A control
// edit of a field every party reads (the node's p2p endpoint) must change other
// parties' files, or the comparison proves nothing.
func TestLocalNodeFieldsChangeOnlyTheirPartysUnits(t *testing.T) {
	for i := range render.LocalNodeFields.NumField() {
		if name := render.LocalNodeFields.Field(i).Name; localEdits[name] == nil {
			t.Fatalf("local node field %s has no edit in localEdits", name)
		}
	}
	for _, platform := range []string{"besu", "fabric"} {
		t.Run(platform, func(t *testing.T) {
			t.Parallel()
			synth := testenv.SynthNetwork
			if platform == "fabric" {
				synth = testenv.SynthFabricNetwork
			}
			src, err := synth(testenv.SynthOptions{Parties: 3, Recipients: func(string) string {
				id, _ := testenv.AgeKey(t)
				return id.Recipient().String()
			}})
			if err != nil {
				t.Fatal(err)
			}
			repo := testenv.Repo(t, string(src))
			if _, err := keys.Init(repo, keys.InitOptions{All: true}); err != nil {
				t.Fatal(err)
			}
			result, err := load.Network(filepath.Join(repo, "cue"))
			if err != nil {
				t.Fatal(err)
			}
			network := result.Network
			base, err := render.Render(network)
			if err != nil {
				t.Fatal(err)
			}
			edited := network.NodeNames()[0]
			owner := network.Nodes[edited].Party
			ownUnits := []string{path.Join("parties", owner), path.Join("policies", "parties", owner)}
			for _, c := range network.ClustersOf(owner) {
				ownUnits = append(ownUnits, path.Join("clusters", c.Name))
			}
			isUnit := func(p string) bool {
				return strings.HasPrefix(p, "parties/") || strings.HasPrefix(p, "clusters/") || strings.HasPrefix(p, "policies/parties/")
			}
			changedBy := func(edit func(*model.Node)) []tree.FileChange {
				t.Helper()
				changed := *network
				changed.Nodes = maps.Clone(network.Nodes)
				node := changed.Nodes[edited]
				edit(&node)
				changed.Nodes[edited] = node
				files, err := render.Render(&changed)
				if err != nil {
					t.Fatal(err)
				}
				return tree.Compare(base, files)
			}
			for name, edit := range localEdits {
				changes := changedBy(edit)
				if len(changes) == 0 {
					t.Logf("%s: no file changed on %s", name, platform)
				}
				for _, c := range changes {
					own := false
					for _, unit := range ownUnits {
						own = own || strings.HasPrefix(c.Path, unit+"/")
					}
					if isUnit(c.Path) && !own {
						t.Errorf("%s of %s (party %s) changed %s, a unit of another party: it is not a local field", name, edited, owner, c.Path)
					}
				}
			}
			others := 0
			for _, c := range changedBy(func(n *model.Node) { n.Endpoint.Port++ }) {
				if isUnit(c.Path) && !strings.HasPrefix(c.Path, path.Join("parties", owner)+"/") {
					others++
				}
			}
			if others == 0 {
				t.Fatal("the control edit (the node's p2p port) changed no other party's file: the check above proves nothing")
			}
		})
	}
}

// TestModelFieldsAllReachTheUnitKeys guards the shared digest, a JSON encoding of the
// model: a field JSON leaves out would change files without changing any key.
func TestModelFieldsAllReachTheUnitKeys(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, at string) {
		switch typ.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			walk(typ.Elem(), at)
			return
		case reflect.Struct:
		default:
			return
		}
		if seen[typ] {
			return
		}
		seen[typ] = true
		for i := range typ.NumField() {
			f := typ.Field(i)
			name := at + "." + f.Name
			if !f.IsExported() {
				t.Errorf("%s: unexported, so left out of the unit keys' JSON", name)
				continue
			}
			if tag := f.Tag.Get("json"); tag == "-" {
				t.Errorf("%s: json:\"-\", so left out of the unit keys", name)
			}
			walk(f.Type, name)
		}
	}
	walk(reflect.TypeFor[model.Network](), "Network")
}
