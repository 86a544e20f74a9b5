//go:build tools

// Package tools pins the promtool CLI that checks the rendered alerting rules
// (promtool check rules) and runs their unit tests (promtool test rules).
package tools

import _ "github.com/prometheus/prometheus/cmd/promtool"
