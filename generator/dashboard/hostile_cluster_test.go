package dashboard_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// What other clusters say reaches the page only as text: the script sets report values
// with textContent (or as attribute values), never parses them as HTML, and evaluates
// no string. With the Content-Security-Policy (no inline script, tested in
// TestDashboardIsReadOnly), a hostile condition message cannot run in the page. The
// SVG it parses is the network's own drawing (graph.svg), not a cluster's report.
func TestDashboardShowsWhatAHostileClusterSaysAsText(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("assets", "app.js"))
	if err != nil {
		t.Fatal(err)
	}
	html := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setTimeout\(\s*["'` + "`" + `]|\.html\(`)
	if m := html.Find(script); m != nil {
		t.Errorf("app.js parses or evaluates strings as HTML or code: %s", m)
	}
	if !regexp.MustCompile(`\.textContent = `).Match(script) {
		t.Error("app.js does not set text with textContent")
	}
}
