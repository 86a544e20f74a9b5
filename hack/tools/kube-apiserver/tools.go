//go:build tools

// Package tools pins kube-apiserver, the real API server the tests apply objects to.
package tools

import _ "k8s.io/kubernetes/cmd/kube-apiserver"
