//go:build tools

// Package tools pins the kubelet, the real node agent that runs the rendered pods in
// the kubelet end-to-end test (hack/e2e/kubelet).
package tools

import _ "k8s.io/kubernetes/cmd/kubelet"
