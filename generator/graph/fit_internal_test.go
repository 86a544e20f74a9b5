package graph

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// An exposure label too long for its chip loses the middle of its host, never the
// port a reader opens a firewall for; a short one is whole.
func TestExposureLabelKeepsThePort(t *testing.T) {
	long := "⇄ loadbalancer · p2p.tradenet.a-rather-long-party-name.example:30303-30305"
	got := fitKeepingPort(long, 180, 10)
	if !strings.HasSuffix(got, ":30303-30305") || !strings.Contains(got, "…") || utf8.RuneCountInString(got) > 180*100/560 {
		t.Errorf("fitKeepingPort = %q", got)
	}
	if short := "⇄ istio · p2p.b.example:30303"; fitKeepingPort(short, 400, 10) != short {
		t.Errorf("a label that fits was changed: %q", fitKeepingPort(short, 400, 10))
	}
	// fit alone cut exactly there, as the SVG did.
	if strings.HasSuffix(fit(long, 180, 10), ":30303-30305") {
		t.Error("fit keeps the port: the test no longer shows what fitKeepingPort fixes")
	}
}

// A row of the Mermaid grid holds the smallest n parties with n² ≥ parties.
func TestGridColumns(t *testing.T) {
	for parties, want := range map[int]int{0: 1, 1: 1, 2: 2, 4: 2, 5: 3, 10: 4, 36: 6, 37: 7, 40: 7, 49: 7, 50: 8, 300: 18} {
		if got := gridColumns(parties); got != want {
			t.Errorf("gridColumns(%d) = %d, want %d", parties, got, want)
		}
	}
}
