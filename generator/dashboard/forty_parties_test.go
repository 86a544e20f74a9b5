package dashboard_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/flux-ledger/flux-ledger/generator/status/statustest"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// readability measures the rendered page and returns one line per check that fails:
// no horizontal scrolling, no cell overlapping the next or clipping its text in the
// cluster, validator and ledger tables, every problem cluster in the first viewport
// and ahead of the healthy ones, the state legend in the first viewport, the
// channel's 12 observations of one config on one line, and the page within three
// viewports. Unfolded (every healthy row shown), it checks the tables
// only.
const readability = `((folded) => {
  const failed = [];
  const vw = window.innerWidth, vh = window.innerHeight;
  const page = document.documentElement;
  if (page.scrollWidth > vw) failed.push("page " + page.scrollWidth + "px wide in a " + vw + "px viewport");
  for (const id of ["cluster-rows", "validator-rows", "peer-ledger-rows"]) {
    for (const tr of document.querySelectorAll("#" + id + " tr")) {
      if (tr.getClientRects().length === 0) continue; // collapsed
      const cells = [...tr.children];
      for (let i = 0; i < cells.length; i++) {
        const a = cells[i].getBoundingClientRect();
        if (a.right > vw + 0.5) failed.push(id + " " + tr.textContent.slice(0, 30) + ": cell " + i + " ends at " + Math.round(a.right) + "px, past the viewport");
        if (i + 1 < cells.length && a.right > cells[i + 1].getBoundingClientRect().left + 0.5) failed.push(id + ": cell " + i + " overlaps the next");
        for (const e of [cells[i], ...cells[i].querySelectorAll("*")]) {
          if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== "visible") failed.push(id + " " + tr.textContent.slice(0, 30) + ": cell " + i + " clips its text (" + e.scrollWidth + " > " + e.clientWidth + "px)");
        }
      }
    }
  }
  const state = (tr) => tr.querySelector(".badge").textContent;
  if (!folded) return failed;
  const rows = [...document.querySelectorAll("#cluster-rows tr")].filter((tr) => tr.querySelector(".badge"));
  const problems = rows.filter((tr) => state(tr) !== "Ready");
  if (problems.length !== 6) failed.push(problems.length + " problem rows, want 6");
  if (rows.slice(0, problems.length).some((tr) => state(tr) === "Ready")) failed.push("a Ready row comes before a problem");
  for (const tr of problems) {
    const r = tr.getBoundingClientRect();
    if (r.height === 0 || r.bottom > vh) failed.push("problem row " + tr.dataset.cluster + " not in the first viewport (bottom " + Math.round(r.bottom) + "px of " + vh + ")");
  }
  const legend = document.getElementById("legend").getBoundingClientRect();
  if (legend.height === 0 || legend.bottom > vh) failed.push("legend not in the first viewport (" + Math.round(legend.top) + "-" + Math.round(legend.bottom) + "px of " + vh + ")");
  if (page.scrollHeight > 3 * vh) failed.push("page " + page.scrollHeight + "px high, over 3 viewports of " + vh + "px");
  const details = document.querySelectorAll("#channel-rows li").length;
  if (details !== 1) failed.push("the channel's 12 alike observations take " + details + " lines, want 1");
  return failed;
})`

// At 40 parties (53 clusters) on a laptop screen the dashboard stays readable, as
// measured in the rendered page rather than assumed from the markup.
func TestFortyPartiesAreReadable(t *testing.T) {
	tab := testenv.Browser(t, 1400, 900, nil)
	server := httptest.NewServer(serving(t, statustest.FortyParties()))
	defer server.Close()
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	defer cancel()
	var failed, unfolded []string
	var shown int
	var height []int
	var sections string
	var screenshot []byte
	err := chromedp.Run(ctx,
		chromedp.Navigate(server.URL+"/"),
		chromedp.Poll(`document.querySelector("#cluster-rows tr") !== null && document.querySelector("#peer-ledger-rows tr") !== null && document.querySelector("#topology svg") !== null`,
			nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(readability+"(true)", &failed),
		chromedp.Evaluate(`[document.documentElement.scrollHeight, window.innerHeight]`, &height),
		chromedp.Evaluate(`[...document.querySelectorAll("header, section")].map((e) => (e.id || e.tagName) + " " + Math.round(e.getBoundingClientRect().height)).join(", ")`, &sections),
		chromedp.FullScreenshot(&screenshot, 100),
		chromedp.Evaluate(`document.querySelectorAll("tr.healthy-summary button").forEach((b) => b.click())`, nil),
		chromedp.Evaluate(readability+"(false)", &unfolded),
		chromedp.Evaluate(`document.querySelectorAll("#cluster-rows tr:not([hidden]) .badge").length`, &shown),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("page %dpx high in a %dpx viewport, healthy rows folded: %s", height[0], height[1], sections)
	// FLUX_LEDGER_PICTURES (as for the graph's pictures) writes what a person sees
	// folded as it first shows: the problems, the legend and the ledger health, to the docs.
	if os.Getenv("FLUX_LEDGER_PICTURES") != "" {
		file := filepath.Join(testenv.RepoRoot(t), "docs", "dashboard-40-parties.png")
		if err := os.WriteFile(file, screenshot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", file, len(screenshot))
	}
	if shown != 53 {
		t.Errorf("unfolded, the cluster table shows %d clusters, want all 53", shown)
	}
	failed = append(failed, unfolded...)
	if len(failed) > 0 {
		t.Errorf("not readable at 40 parties:\n%s", strings.Join(failed, "\n"))
	}
}
