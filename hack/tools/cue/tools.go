//go:build tools

// Package tools pins the cue CLI that the tests run against the schema.
package tools

import _ "cuelang.org/go/cmd/cue"
