package status

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/flux-ledger/flux-ledger/generator/terminal"
)

// table lays out rows in columns, as every section of Table does, and clips each line
// to Width: the last column (a message) is the one that loses its end, and the
// caller prints in full, under the table, what it cannot spare. It says which lines
// it clipped, the header being line 0.
func table(w io.Writer, rows func(tw io.Writer)) ([]bool, error) {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	rows(tw)
	if err := tw.Flush(); err != nil {
		return nil, err
	}
	var clipped []bool
	for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		line = strings.TrimRight(line, " ")
		clipped = append(clipped, !fits(line))
		if _, err := fmt.Fprintln(w, terminal.Clip(line, Width)); err != nil {
			return nil, err
		}
	}
	return clipped, nil
}

// fits says whether a line of that many runes fits in Width.
func fits(line string) bool { return utf8.RuneCountInString(line) <= Width }

// wrapParts writes parts joined by sep within Width, breaking between parts where it
// can (a legend entry stays whole) and between words within a part too long for a
// line.
func wrapParts(w io.Writer, parts []string, sep string) {
	prefix, line := "", ""
	for i, part := range parts {
		if i < len(parts)-1 {
			part += strings.TrimRight(sep, " ")
		}
		switch {
		case line == "":
			line = part
		case fits(prefix + line + " " + part):
			line += " " + part
		default:
			wrap(w, prefix, line)
			prefix, line = "    ", part
		}
	}
	if line != "" {
		wrap(w, prefix, line)
	}
}

// wrap writes text (already escaped) within Width: the first line starts with
// first, the next ones with four spaces, and lines break between words. A single
// word longer than the line is clipped.
func wrap(w io.Writer, first, text string) {
	const indent = "    "
	line := first
	empty := true
	for _, word := range strings.Fields(text) {
		switch {
		case empty:
			line += word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) <= Width:
			line += " " + word
		default:
			fmt.Fprintln(w, terminal.Clip(line, Width))
			line = indent + word
		}
		empty = false
	}
	fmt.Fprintln(w, terminal.Clip(line, Width))
}

// causes are a table's rows' messages, in the order of its rows (an empty one for a
// row without), so that a row clipped to Width gives its message in full under the
// table: the cause is what says what to change.
type causes []struct{ who, text string }

func (c *causes) row(who, text string) { *c = append(*c, struct{ who, text string }{who, text}) }

// write wraps the message of every row that table clipped (clipped[0] is the header).
func (c causes) write(w io.Writer, clipped []bool) {
	for i, row := range c {
		if i+1 < len(clipped) && clipped[i+1] && row.text != "" {
			wrap(w, "  "+row.who+": ", row.text)
		}
	}
}
