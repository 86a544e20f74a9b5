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
