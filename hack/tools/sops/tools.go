//go:build tools

// Package tools pins the sops CLI that the tests use to decrypt generated secrets.
package tools

import _ "github.com/getsops/sops/v3/cmd/sops"
