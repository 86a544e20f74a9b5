//go:build tools

// Package tools pins kustomize-controller, the real Flux reconciler of the e2e tests.
package tools

import _ "github.com/fluxcd/kustomize-controller"
