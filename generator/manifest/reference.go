package manifest

// The reference encoding: the first, straightforward implementation of EncodeAll,
// kept unchanged as the second implementation the byte-identity test
// (identity_test.go) compares the fast path with, and selected at run time by
// SetReference. It converts each object through JSON into a generic map, builds a
// yaml.Node per value with a separate allocation each, tests every string against
// a regular expression and emits all documents through one encoder (EncodeNodes, which
// never had a second path) after dropping what nobody wrote (dropUnset, likewise).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// referenceEncodeAll renders objects as one multi-document YAML stream, in the order given.
func referenceEncodeAll(objs ...any) ([]byte, error) {
	nodes := make([]*kyaml.RNode, 0, len(objs))
	for _, obj := range objs {
		node, err := referenceNode(obj)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, node)
	}
	return EncodeNodes(nodes...)
}

// referenceEncode renders one object (a typed k8s.io/api or Flux API object, or any value that
// marshals to a JSON object) as a YAML document.
func referenceEncode(obj any) ([]byte, error) {
	node, err := referenceNode(obj)
	if err != nil {
		return nil, err
	}
	return EncodeNodes(node)
}

// referenceNode converts an object into a kyaml RNode, dropping the status and the fields the API
// types serialise for objects never stored by a server. The object goes through its
// JSON form (which honours the API types' field names and omitempty) straight into a
// YAML node tree: no intermediate YAML text to print and parse again.
func referenceNode(obj any) (*kyaml.RNode, error) {
	data, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", obj, err)
	}
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.UseNumber()
	var generic any
	if err := decoder.Decode(&generic); err != nil {
		return nil, fmt.Errorf("encode %T: %w", obj, err)
	}
	node := kyaml.NewRNode(referenceToNode(generic))
	if err := node.PipeE(kyaml.Clear("status")); err != nil {
		return nil, err
	}
	dropUnset(node.YNode())
	return node, nil
}

// referenceToNode builds the YAML node tree of a decoded JSON value: maps with sorted keys,
// integral numbers as integers, multi-line strings as literal blocks, and strings
// that a YAML 1.1 reader would take for something else ("yes", "on", "1:20") quoted.
// The yaml library emits the text; building nodes directly spares printing the value
// as YAML and parsing it back, which was most of the rendering time.
func referenceToNode(v any) *kyaml.Node {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		n := &kyaml.Node{Kind: kyaml.MappingNode, Tag: kyaml.NodeTagMap}
		for _, k := range keys {
			n.Content = append(n.Content, referenceScalar(k), referenceToNode(v[k]))
		}
		return n
	case []any:
		n := &kyaml.Node{Kind: kyaml.SequenceNode, Tag: kyaml.NodeTagSeq}
		for _, e := range v {
			n.Content = append(n.Content, referenceToNode(e))
		}
		return n
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return &kyaml.Node{Kind: kyaml.ScalarNode, Tag: kyaml.NodeTagInt, Value: v.String()}
		}
		f, _ := v.Float64()
		return &kyaml.Node{Kind: kyaml.ScalarNode, Tag: kyaml.NodeTagFloat, Value: strconv.FormatFloat(f, 'g', -1, 64)}
	case bool:
		return &kyaml.Node{Kind: kyaml.ScalarNode, Tag: kyaml.NodeTagBool, Value: strconv.FormatBool(v)}
	case nil:
		return &kyaml.Node{Kind: kyaml.ScalarNode, Tag: kyaml.NodeTagNull, Value: "null"}
	case string:
		return referenceScalar(v)
	}
	panic(fmt.Sprintf("manifest: unexpected JSON value %T", v))
}

// yaml11Special are plain scalars that YAML 1.1 readers resolve to booleans or
// sexagesimal numbers, although YAML 1.2 reads them as strings.
var yaml11Special = regexp.MustCompile(`^(?:[yY]|[yY]es|YES|[nN]|[nN]o|NO|[oO]n|ON|[oO]ff|OFF|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$`)

// referenceScalar is a string node; the emitter quotes it when it would read as another type.
func referenceScalar(s string) *kyaml.Node {
	n := &kyaml.Node{Kind: kyaml.ScalarNode, Tag: kyaml.NodeTagString, Value: s}
	switch {
	case strings.Contains(s, "\n"):
		n.Style = kyaml.LiteralStyle
	case yaml11Special.MatchString(s):
		n.Style = kyaml.DoubleQuotedStyle
	}
	return n
}
