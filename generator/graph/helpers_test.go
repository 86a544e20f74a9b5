package graph_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/graph"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// reference loads the reference network, cue/network.cue.
func reference(t testing.TB) *model.Network {
	t.Helper()
	result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	return result.Network
}

func build(t testing.TB, n *model.Network, opts graph.Options) *graph.Graph {
	t.Helper()
	g, err := graph.Build(n, opts)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// render writes the picture in one format: svg, mermaid or dot.
func render(t testing.TB, g *graph.Graph, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "svg":
		err = g.SVG(&b)
	case "mermaid":
		err = g.Mermaid(&b)
	case "dot":
		err = g.DOT(&b)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// svgDoc is what a strict XML reader finds in an SVG document: its root, and the
// text and data-* attributes of every element.
type svgDoc struct {
	root  string
	texts []string
	attrs map[string][]string // data-party, data-cluster, data-node → values
}

func parseSVG(t testing.TB, data []byte) svgDoc {
	t.Helper()
	doc := svgDoc{attrs: map[string][]string{}}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var inText bool
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if doc.root == "" {
				doc.root = tok.Name.Space + " " + tok.Name.Local
			}
			for _, a := range tok.Attr {
				if strings.HasPrefix(a.Name.Local, "data-") {
					doc.attrs[a.Name.Local] = append(doc.attrs[a.Name.Local], a.Value)
				}
			}
			inText = tok.Name.Local == "text"
			text.Reset()
		case xml.CharData:
			if inText {
				text.Write(tok)
			}
		case xml.EndElement:
			if tok.Name.Local == "text" {
				doc.texts = append(doc.texts, text.String())
				inText = false
			}
		}
	}
	return doc
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
