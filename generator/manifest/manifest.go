// Package manifest encodes typed Kubernetes objects as the YAML files the repository
// holds: one document per file, fields in the conventional Kubernetes order (apiVersion,
// kind, metadata, spec, …) via kyaml's formatter, map keys sorted, no timestamps — so
// the same object always encodes to the same bytes.
//
// Encoding is most of what a no-op generate does (every party's files are rendered in
// memory to be compared with the disk), so this path is built for speed while the
// bytes stay those of the straightforward reference encoding in reference.go, which
// identity_test.go checks on whole rendered networks.
package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"sigs.k8s.io/kustomize/kyaml/kio/filters"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// reference, when set, sends every encoding through the reference implementation.
var reference atomic.Bool

// SetReference selects the reference encoding (reference.go) for every later call
// when on is true, the fast path when false. The byte-identity test renders whole
// networks both ways through the renderers, which call EncodeAll and Encode
// themselves; nothing else should call it.
func SetReference(on bool) { reference.Store(on) }

// EncodeAll renders objects as one multi-document YAML stream, in the order given.
func EncodeAll(objs ...any) ([]byte, error) {
	if reference.Load() {
		return referenceEncodeAll(objs...)
	}
	b := builders.Get().(*builder)
	defer b.release()
	nodes := make([]*kyaml.RNode, 0, len(objs))
	for _, obj := range objs {
		node, err := b.object(obj)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, node)
	}
	return EncodeNodes(nodes...)
}

// Encode renders one object (a typed k8s.io/api or Flux API object, or any value that
// marshals to a JSON object) as a YAML document.
func Encode(obj any) ([]byte, error) {
	if reference.Load() {
		return referenceEncode(obj)
	}
	b := builders.Get().(*builder)
	defer b.release()
	node, err := b.object(obj)
	if err != nil {
		return nil, err
	}
	return EncodeNodes(node)
}

// Node converts an object into a kyaml RNode, dropping the status and the fields the API
// types serialise for objects never stored by a server. The object goes through its
// JSON form (which honours the API types' field names, omitempty and the custom
// marshalling of quantities, int-or-strings and times) straight into a YAML node
// tree: no intermediate YAML text to print and parse again.
func Node(obj any) (*kyaml.RNode, error) {
	var b builder // not pooled: the caller keeps the nodes
	return b.object(obj)
}

// builder makes the node trees of one encoding. Nodes and their children's slices
// come from slabs that a pooled builder reuses once the encoding is written: a
// 300-party node file holds thousands of values, and allocating and collecting each
// node separately was a large part of the encoding time.
type builder struct {
	nodes []nodeSlab
	ptrs  []ptrSlab
	n, p  int // the slabs in use: nodes[n], ptrs[p]
}

type (
	nodeSlab struct {
		all  []kyaml.Node
		used int
	}
	ptrSlab struct {
		all  []*kyaml.Node
		used int
	}
)

// slabSize is how many nodes one slab holds; a slab of children pointers holds four
// times as many.
const slabSize = 256

// builders are reused across encodings, by every rendering goroutine.
var builders = sync.Pool{New: func() any { return new(builder) }}

// release rewinds the builder's slabs, whose nodes the finished encoding no longer
// references, and returns it to the pool.
func (b *builder) release() {
	for i := range b.nodes[:min(b.n+1, len(b.nodes))] {
		b.nodes[i].used = 0
	}
	for i := range b.ptrs[:min(b.p+1, len(b.ptrs))] {
		b.ptrs[i].used = 0
	}
	b.n, b.p = 0, 0
	builders.Put(b)
}

func (b *builder) node(kind kyaml.Kind, tag, value string) *kyaml.Node {
	for b.n < len(b.nodes) && b.nodes[b.n].used == len(b.nodes[b.n].all) {
		b.n++
	}
	if b.n == len(b.nodes) {
		b.nodes = append(b.nodes, nodeSlab{all: make([]kyaml.Node, slabSize)})
	}
	slab := &b.nodes[b.n]
	n := &slab.all[slab.used]
	slab.used++
	*n = kyaml.Node{Kind: kind, Tag: tag, Value: value} // a reused node keeps nothing
	return n
}

// content returns an empty slice with room for n children, cut from a shared
// backing array; the full slice expression keeps an append from running into the
// next node's children.
func (b *builder) content(n int) []*kyaml.Node {
	if n > slabSize {
		return make([]*kyaml.Node, 0, n)
	}
	for b.p < len(b.ptrs) && len(b.ptrs[b.p].all)-b.ptrs[b.p].used < n {
		b.p++
	}
	if b.p == len(b.ptrs) {
		b.ptrs = append(b.ptrs, ptrSlab{all: make([]*kyaml.Node, 4*slabSize)})
	}
	slab := &b.ptrs[b.p]
	c := slab.all[slab.used : slab.used : slab.used+n]
	slab.used += n
	return c
}

// jsonBuffers reuses the JSON buffers between encodings: every object passes
// through its JSON form once.
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (b *builder) object(obj any) (*kyaml.RNode, error) {
	if err := checkDataSize(obj); err != nil {
		return nil, err
	}
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer jsonBuffers.Put(buf)
	buf.Reset()
	encoder := json.NewEncoder(buf)
	encoder.SetEscapeHTML(false) // the decoder below reads "<" and "\u003c" alike
	if err := encoder.Encode(obj); err != nil {
		return nil, fmt.Errorf("encode %T: %w", obj, err)
	}
	decoder := json.NewDecoder(buf)
	decoder.UseNumber()
	var generic any
	if err := decoder.Decode(&generic); err != nil {
		return nil, fmt.Errorf("encode %T: %w", obj, err)
	}
	node := kyaml.NewRNode(b.value(generic))
	if err := node.PipeE(kyaml.Clear("status")); err != nil {
		return nil, err
	}
	dropUnset(node.YNode())
	return node, nil
}

// value builds the YAML node tree of a decoded JSON value: maps with sorted keys,
// integral numbers as integers, multi-line strings as literal blocks, and strings
// that a YAML 1.1 reader would take for something else ("yes", "on", "1:20") quoted.
// The yaml library emits the text; building nodes directly spares printing the value
// as YAML and parsing it back.
func (b *builder) value(v any) *kyaml.Node {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		n := b.node(kyaml.MappingNode, kyaml.NodeTagMap, "")
		n.Content = b.content(2 * len(keys))
		for _, k := range keys {
			n.Content = append(n.Content, b.scalar(k), b.value(v[k]))
		}
		return n
	case []any:
		n := b.node(kyaml.SequenceNode, kyaml.NodeTagSeq, "")
		n.Content = b.content(len(v))
		for _, e := range v {
			n.Content = append(n.Content, b.value(e))
		}
		return n
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return b.node(kyaml.ScalarNode, kyaml.NodeTagInt, v.String())
		}
		f, _ := v.Float64()
		return b.node(kyaml.ScalarNode, kyaml.NodeTagFloat, strconv.FormatFloat(f, 'g', -1, 64))
	case bool:
		return b.node(kyaml.ScalarNode, kyaml.NodeTagBool, strconv.FormatBool(v))
	case nil:
		return b.node(kyaml.ScalarNode, kyaml.NodeTagNull, "null")
	case string:
		return b.scalar(v)
	}
	panic(fmt.Sprintf("manifest: unexpected JSON value %T", v))
}

// scalar is a string node; the emitter quotes it when it would read as another type.
func (b *builder) scalar(s string) *kyaml.Node {
	n := b.node(kyaml.ScalarNode, kyaml.NodeTagString, s)
	switch {
	case strings.IndexByte(s, '\n') >= 0:
		n.Style = kyaml.LiteralStyle
	case yaml11(s):
		n.Style = kyaml.DoubleQuotedStyle
	}
	return n
}

// yaml11 is yaml11Special.MatchString without running the expression on the strings
// that cannot match, which are nearly all: the words it matches have at most three
// letters, and its numbers start with a sign or digit and hold a colon.
func yaml11(s string) bool {
	if s == "" {
		return false
	}
	switch c := s[0]; {
	case c == 'y' || c == 'Y' || c == 'n' || c == 'N' || c == 'o' || c == 'O':
		return len(s) <= 3 && yaml11Special.MatchString(s)
	case c == '+' || c == '-' || '0' <= c && c <= '9':
		return strings.IndexByte(s, ':') >= 0 && yaml11Special.MatchString(s)
	}
	return false
}

// dropUnset removes, at any depth, what Go's zero values serialise to but nobody wrote:
// empty status and updateStrategy objects and null creationTimestamps.
func dropUnset(n *kyaml.Node) {
	if n.Kind == kyaml.MappingNode {
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, value := n.Content[i], n.Content[i+1]
			empty := value.Kind == kyaml.MappingNode && len(value.Content) == 0
			null := value.Kind == kyaml.ScalarNode && value.Tag == kyaml.NodeTagNull
			if (key.Value == "status" || key.Value == "updateStrategy") && empty || key.Value == "creationTimestamp" && null {
				continue
			}
			kept = append(kept, key, value)
		}
		n.Content = kept
	}
	for _, c := range n.Content {
		dropUnset(c)
	}
}

// EncodeNodes writes nodes as a YAML stream, each formatted in Kubernetes field order.
func EncodeNodes(nodes ...*kyaml.RNode) ([]byte, error) {
	formatted, err := filters.FormatFilter{}.Filter(nodes)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	encoder := kyaml.NewEncoderWithOptions(&buf, &kyaml.EncoderOptions{SeqIndent: kyaml.CompactSequenceStyle})
	for _, node := range formatted {
		if err := encoder.Encode(node.Document()); err != nil {
			return nil, err
		}
	}
	if err := encoder.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
