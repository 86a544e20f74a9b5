//go:build tools

// Package tools pins the kyverno CLI that runs the policy test suites.
package tools

import _ "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno"
