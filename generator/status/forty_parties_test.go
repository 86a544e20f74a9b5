package status_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/flux-ledger/flux-ledger/generator/status"
	"github.com/flux-ledger/flux-ledger/generator/status/statustest"
)

// At 40 parties (53 clusters) the table stays readable in a terminal: a summary line
// first, every line within status.Width columns, and the clusters that need someone
// ahead of the 47 Ready ones, each with its whole cause.
func TestFortyPartiesTable(t *testing.T) {
	var out bytes.Buffer
	if err := statustest.FortyParties().Table(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	for i, line := range lines {
		if n := utf8.RuneCountInString(line); n > status.Width {
			t.Errorf("line %d is %d columns, over %d: %s", i+1, n, status.Width, line)
		}
	}
	// Counted by hand from statustest.FortyParties: party-30's two clusters are
	// Behind, party-21's two Failed, party-07's Unreachable, party-13's NotConfigured.
	if want := "40 parties (53 clusters): 36 Ready, 1 Behind, 1 Failed, 1 Unreachable, 1 NotConfigured"; lines[0] != want {
		t.Errorf("first line %q, want %q", lines[0], want)
	}
	if !strings.HasPrefix(lines[2], "CLUSTER ") {
		t.Fatalf("line 3 is not the cluster table's header: %q", lines[2])
	}
	var order []string
	for _, line := range lines[3:9] {
		order = append(order, strings.Fields(line)[0]+" "+strings.Fields(line)[2])
	}
	want := []string{"party-13-aks-westeurope NotConfigured", "party-07-aks-westeurope Unreachable",
		"party-21-aks-westeurope Failed", "party-21-eks-eu-central-1 Failed",
		"party-30-aks-westeurope Behind", "party-30-eks-eu-central-1 Behind"}
	if strings.Join(order, ",") != strings.Join(want, ",") {
		t.Errorf("the first clusters are %q, want %q", order, want)
	}
	if f := strings.Fields(lines[9]); len(f) < 3 || f[2] != "Ready" {
		t.Errorf("line 10 is not the first Ready cluster: %q", lines[9])
	}
	// The channel's 12 members whose observers read the same config share one line.
	if want := "  trade: 12 parties read sequence 4, members party-01, party-02,"; !strings.Contains(out.String(), want) || strings.Count(out.String(), "  trade: ") != 1 {
		t.Errorf("the channel's alike observations are not on one line starting %q:\n%s", want, out.String())
	}
	// The validator silent for two rounds, seen so by the 38 parties that read who
	// proposed, is one line; the party whose node does not say shows "not read".
	if want := "party-40: silent: party-07-validator-1 (party party-07) has not proposed in 2 whole rounds"; !strings.Contains(status.Unwrapped(out.String()), want) || strings.Count(out.String(), "silent: ") != 1 {
		t.Errorf("the silent validator is not on one line ending %q:\n%s", want, out.String())
	}
	if want := "blocks 48001-48213  not read  proposers not read:"; !strings.Contains(out.String(), want) {
		t.Errorf("party-21's row does not say %q:\n%s", want, out.String())
	}
	// A cause clipped in its row is printed in full: the words that tell what to
	// change survive at this width.
	text := strings.Join(strings.Fields(out.String()), " ")
	for _, cause := range []string{
		"party-21-rpc-1: proposers not read: qbft_getSignerMetrics: Method not found (-32601)",
		`no kube context "party-13-aks-westeurope" in the kubeconfig: set clusters.party-13-aks-westeurope.kubeContext in cue/, or --context-map party-13-aks-westeurope=CONTEXT`,
		"no answer from 192.0.2.7:6443 within 10s (context party-07-aks-westeurope; raise --timeout for slow links)",
	} {
		if !strings.Contains(text, cause) {
			t.Errorf("the table does not give the whole cause %q:\n%s", cause, out.String())
		}
	}
}
