//go:build tools

// Package tools pins the Prometheus Operator, whose StatefulSet for a share's
// Prometheus the tests hold to the party's Kyverno policies: flux-ledger renders the
// Prometheus object, the operator builds the pods from it.
package tools

import _ "github.com/prometheus-operator/prometheus-operator/cmd/operator"
