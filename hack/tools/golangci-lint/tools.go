//go:build tools

// Package tools pins golangci-lint, the linter make lint runs over the module with
// the checks .golangci.yml names.
package tools

import _ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
