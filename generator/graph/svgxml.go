package graph

import (
	"encoding/xml"
	"math"
	"strings"
	"unicode/utf8"
)

// The SVG elements the picture uses, encoded by encoding/xml. Colours are presentation
// attributes, not a <style> sheet: the file stands alone, and a page that inlines it
// (the dashboard) restyles it with its own CSS classes and no inline style.

type svgRoot struct {
	XMLName xml.Name `xml:"svg"`
	Xmlns   string   `xml:"xmlns,attr"`
	Width   int      `xml:"width,attr"`
	Height  int      `xml:"height,attr"`
	ViewBox string   `xml:"viewBox,attr"`
	Font    string   `xml:"font-family,attr"`
	Role    string   `xml:"role,attr"`
	Label   string   `xml:"aria-label,attr"`
	Title   string   `xml:"title"`
	Items   []any
}

type svgGroup struct {
	XMLName xml.Name `xml:"g"`
	Class   string   `xml:"class,attr,omitempty"`
	Party   string   `xml:"data-party,attr,omitempty"`
	Cluster string   `xml:"data-cluster,attr,omitempty"`
	Node    string   `xml:"data-node,attr,omitempty"`
	Channel string   `xml:"data-channel,attr,omitempty"`
	Role    string   `xml:"data-role,attr,omitempty"`
	Change  string   `xml:"data-change,attr,omitempty"`
	Title   string   `xml:"title,omitempty"`
	Items   []any
}

type svgRect struct {
	XMLName     xml.Name `xml:"rect"`
	Class       string   `xml:"class,attr,omitempty"`
	X           int      `xml:"x,attr"`
	Y           int      `xml:"y,attr"`
	Width       int      `xml:"width,attr"`
	Height      int      `xml:"height,attr"`
	RX          int      `xml:"rx,attr,omitempty"`
	Fill        string   `xml:"fill,attr"`
	Stroke      string   `xml:"stroke,attr,omitempty"`
	StrokeWidth int      `xml:"stroke-width,attr,omitempty"`
	Dash        string   `xml:"stroke-dasharray,attr,omitempty"`
}

type svgText struct {
	XMLName xml.Name `xml:"text"`
	Class   string   `xml:"class,attr,omitempty"`
	X       int      `xml:"x,attr"`
	Y       int      `xml:"y,attr"`
	Size    int      `xml:"font-size,attr"`
	Weight  string   `xml:"font-weight,attr,omitempty"`
	Fill    string   `xml:"fill,attr"`
	Anchor  string   `xml:"text-anchor,attr,omitempty"`
	Text    string   `xml:",chardata"`
}

type svgLine struct {
	XMLName     xml.Name `xml:"line"`
	Class       string   `xml:"class,attr,omitempty"`
	X1          int      `xml:"x1,attr"`
	Y1          int      `xml:"y1,attr"`
	X2          int      `xml:"x2,attr"`
	Y2          int      `xml:"y2,attr"`
	Stroke      string   `xml:"stroke,attr"`
	StrokeWidth int      `xml:"stroke-width,attr"`
	Dash        string   `xml:"stroke-dasharray,attr,omitempty"`
}

// Colours (GitHub's Primer palette: readable on white, distinct for colour-blind
// readers by stroke and mark as well).
const (
	colText   = "#1f2328"
	colMuted  = "#57606a"
	colBorder = "#8c959f"
	colCard   = "#f6f8fa"
	colBus    = "#0969da"
)

func text(x, y, size int, fill, s string) svgText {
	return svgText{X: x, Y: y, Size: size, Fill: fill, Text: s}
}

func bold(t svgText) svgText { t.Weight = "bold"; return t }

// fit shortens s to what width pixels hold at a font size (an average glyph is taken
// as 0.56 em: the picture uses the reader's sans-serif font, no web font), ending it
// with an ellipsis. The group's <title> carries the full text.
func fit(s string, width, size int) string {
	max := int(math.Floor(float64(width) / (0.56 * float64(size))))
	if utf8.RuneCountInString(s) <= max || max < 2 {
		return s
	}
	runes := []rune(s)
	return string(runes[:max-1]) + "…"
}

// fitKeepingPort is fit for "… host:port": what is cut is the middle of the host, so
// the port, which a reader needs to open a firewall, always shows.
func fitKeepingPort(s string, width, size int) string {
	max := int(math.Floor(float64(width) / (0.56 * float64(size))))
	i := strings.LastIndex(s, ":")
	if utf8.RuneCountInString(s) <= max || i < 0 {
		return fit(s, width, size)
	}
	head, port := []rune(s[:i]), s[i:]
	keep := max - utf8.RuneCountInString(port) - 1
	if keep < 2 {
		return fit(s, width, size)
	}
	return string(head[:keep]) + "…" + port
}
