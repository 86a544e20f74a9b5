// Package terminal escapes text that other parties wrote before it is printed on an
// operator's terminal.
package terminal

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable makes a string someone else wrote (a cluster's condition message or
// error, a commit's author or message) safe to print on a terminal: every rune that is
// not graphic — C0 and C1 controls (ESC, CSI, OSC 52 clipboard writes, CR, backspace,
// tab, newline), line and paragraph separators, bidi overrides and isolates
// (U+202A–U+202E, U+2066–U+2069) and every other format character — and every invalid
// byte is written as a Go escape (\x1b, \u202e); a backslash is doubled so an escape
// cannot be forged. The writer can then neither move the cursor to rewrite another
// row nor reach the terminal's clipboard. JSON output does not need it: encoding/json
// escapes control characters itself and keeps the exact text.
func Printable(s string) string {
	var b strings.Builder
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])|0x100, 16)[1:])
		case r == '\\':
			b.WriteString(`\\`)
		case unicode.IsGraphic(r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		}
	}
	return b.String()
}

// Clip shortens a printable message to at most n runes, never inside a rune.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-3]) + "..."
}
