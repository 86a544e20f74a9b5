package status

import "strings"

// unwrapped joins the lines wrap continued (indented four spaces) back onto the line
// they continue, for tests that look for a whole detail line.
func unwrapped(s string) string { return strings.ReplaceAll(s, "\n    ", " ") }

// Unwrapped is unwrapped for the package's external tests.
var Unwrapped = unwrapped
