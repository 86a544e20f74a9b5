package status

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"

	"github.com/flux-ledger/flux-ledger/generator/terminal"
)

// What a hostile cluster can put in its Kustomization conditions and errors: an ANSI
// erase-line and carriage return to rewrite the row above as "Ready", an OSC 52
// clipboard write, backspaces, a C1 CSI, a bidi override and a newline.
const hostile = "apply failed\x1b[1A\x1b[2K\rbeta-1  beta  Ready\x1b]52;c;Y3VybCBldmlsfHNo\a\b\b\u009b31m\u202eevil\u2066\n" +
	"gamma-1  gamma  Ready \\x1b \xff"

func hostileReport() *Report {
	return &Report{
		Clusters: []Cluster{
			{Cluster: "alpha-1", Party: "alpha", State: StateFailed, Kustomizations: []Kustomization{
				{Name: "ledger", State: "Failed", Reason: "BuildFailed\x1b[0m", Message: hostile, Revision: "main@sha1:\x1b[2Jabc", Behind: -1},
			}},
			{Cluster: "beta-1", Party: "beta", State: StateUnreachable, Error: hostile},
		},
		Validators: []Validators{{Party: "beta", Node: "beta-rpc", Error: hostile}},
		// A failed observer's message is its log's tail: whatever the pod printed.
		Channels: []Channel{{Channel: "trade", Observations: []ChannelObservation{
			{Party: "beta", Cluster: "beta-1", State: ObservedFailed, Cause: "observer failed: " + hostile},
			{Party: "gamma", Cluster: "gamma-1", State: ObservedOK, Config: &ChannelConfig{Members: []string{"gamma"}}, Fetched: "2026-12-06T10:00:00Z", LastRunFailed: hostile},
		}}},
	}
}

// status (table) shows what other clusters say with every control character escaped:
// no ESC, CR, BEL, backspace, C1 or bidi control reaches the terminal, no message adds
// a line, and the escapes are visible.
func TestStatusTableEscapesWhatAHostileClusterSays(t *testing.T) {
	var out bytes.Buffer
	if err := hostileReport().Table(&out); err != nil {
		t.Fatal(err)
	}
	for _, r := range out.String() {
		if r != '\n' && !unicode.IsGraphic(r) {
			t.Errorf("the table carries %U:\n%q", r, out.String())
			break
		}
	}
	// Only the table's own lines start at the left edge (messages given in full, their
	// wrapped lines and details are indented): the summary, header + 2 clusters, the
	// states' legend, header + 1 validator line, header + 1 channel line.
	lines := 0
	for _, line := range strings.Split(out.String(), "\n") {
		if line != "" && !strings.HasPrefix(line, " ") {
			lines++
		}
	}
	if lines != 9 {
		t.Errorf("the table has %d lines at the left edge, want 9 (a message added lines):\n%s", lines, out.String())
	}
	for _, want := range []string{`\x1b[1A\x1b[2K\rbeta-1`, `\x1b]52;c;`, `main@sha1:\x1b[2Jabc`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the table does not show %s:\n%s", want, out.String())
		}
	}
	// The whole message, escaped; a backslash the cluster wrote is doubled so that it
	// cannot pass for an escape.
	want := `apply failed\x1b[1A\x1b[2K\rbeta-1  beta  Ready\x1b]52;c;Y3VybCBldmlsfHNo\a\b\b\u009b31m\u202eevil\u2066\n` +
		`gamma-1  gamma  Ready \\x1b \xff`
	if got := terminal.Printable(hostile); got != want {
		t.Errorf("terminal.Printable:\n got %s\nwant %s", got, want)
	}
}

// status -o json keeps the exact text: decoding it gives back every byte the cluster
// wrote (encoding/json escapes the control characters itself).
func TestStatusJSONKeepsWhatAHostileClusterSaysExactly(t *testing.T) {
	var out bytes.Buffer
	if err := hostileReport().JSON(&out); err != nil {
		t.Fatal(err)
	}
	for _, b := range out.Bytes() {
		if b < 0x20 && b != '\n' || b == 0x7f {
			t.Fatalf("the JSON carries a raw control byte %#x", b)
		}
	}
	var back Report
	if err := json.Unmarshal(out.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	// encoding/json replaces invalid UTF-8 with U+FFFD; everything else is exact.
	want := strings.ToValidUTF8(hostile, "\uFFFD")
	if got := back.Clusters[0].Kustomizations[0].Message; got != want {
		t.Errorf("message after a JSON round trip:\n got %q\nwant %q", got, want)
	}
	if got := back.Channels[0].Observations; got[0].Cause != "observer failed: "+want || got[1].LastRunFailed != want {
		t.Errorf("observations after a JSON round trip: %q, %q", got[0].Cause, got[1].LastRunFailed)
	}
	if back.Clusters[1].Error != want || back.Validators[0].Error != want {
		t.Errorf("errors after a JSON round trip: %q, %q", back.Clusters[1].Error, back.Validators[0].Error)
	}
}
