//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/flux-ledger/flux-ledger/generator/dashboard"
	"github.com/flux-ledger/flux-ledger/generator/status"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// ScreenshotEnv names the file (relative to the repository) the dashboard test writes
// its screenshot to; unset, it writes none, so a test run leaves the tree as it was.
const ScreenshotEnv = "FLUX_LEDGER_SCREENSHOT"

// Red is the fill app.css gives an unreachable or failed cluster, as the browser
// computes it.
const red = "rgb(255, 235, 233)"

// proveDashboard serves `flux-ledger status --serve` against the clusters and looks at
// it in Debian's headless Chromium as a person would: the page loads with no console
// error, shows every party, and turns a cluster red once its API server is stopped.
// Every wait is a condition polled in the page, bounded by the waits of the e2e test.
func proveDashboard(t *testing.T, c *consortium, parties []string, stopParty, stopCluster string) {
	network := c.network(t)
	opts := c.statusOptions(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls, served := make(chan string, 1), make(chan error, 1)
	go func() {
		served <- dashboard.Serve(ctx, "127.0.0.1:0", dashboard.Options{Network: network, Interval: time.Second,
			Collect: func(ctx context.Context) *status.Report { return status.Collect(ctx, network, opts) }},
			func(url string) { urls <- url })
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-served:
		t.Fatalf("dashboard: %v", err)
	}

	var mu sync.Mutex
	var problems []string
	tab := testenv.Browser(t, 1400, 1000, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError || ev.Type == runtime.APITypeAssert {
				var args []string
				for _, a := range ev.Args {
					args = append(args, string(a.Value))
				}
				problems = append(problems, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "uncaught: "+ev.ExceptionDetails.Error())
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.LevelError {
				problems = append(problems, fmt.Sprintf("%s: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	})
	run := func(what string, actions ...chromedp.Action) {
		t.Helper()
		ctx, cancel := context.WithTimeout(tab, changeTimeout)
		defer cancel()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	var ok bool
	var shown []string
	run("the page shows every cluster's state", chromedp.Navigate(url),
		chromedp.Poll(fmt.Sprintf(`document.querySelectorAll("#cluster-rows tr").length === %d &&
			document.querySelectorAll("#topology g.party[class*=state-]").length === %d`, len(parties), len(parties)),
			&ok, chromedp.WithPollingTimeout(changeTimeout)),
		chromedp.Evaluate(`[...document.querySelectorAll("#topology g.party")].map(g => g.dataset.party + ": " + g.querySelector("text").textContent)`, &shown))
	var want []string
	for _, p := range parties {
		want = append(want, fmt.Sprintf("%s: %s (%s)", p, network.Parties[p].DisplayName, p))
	}
	if !slices.Equal(shown, want) {
		t.Errorf("parties shown %q, want %q", shown, want)
	}

	c.clusters[stopParty].server.Stop()
	stopped := time.Now()
	cluster := fmt.Sprintf(`document.querySelector('#topology g.cluster[data-cluster=%q]')`, stopCluster)
	run(stopCluster+" turns red",
		chromedp.Poll(fmt.Sprintf(`%s.classList.contains("state-Unreachable") &&
			getComputedStyle(%s.querySelector(".cluster-box")).fill === %q &&
			document.querySelector('#cluster-rows tr[data-cluster=%q] .badge').textContent === "Unreachable"`,
			cluster, cluster, red, stopCluster), &ok, chromedp.WithPollingTimeout(changeTimeout)))
	t.Logf("%s red on the dashboard %s after its API server stopped", stopCluster, time.Since(stopped).Round(100*time.Millisecond))
	var others []string
	run("the other clusters keep their state", chromedp.Evaluate(
		`[...document.querySelectorAll("#topology g.cluster")].map(g => g.dataset.cluster + " " + g.getAttribute("class"))`, &others))
	for _, o := range others {
		if !strings.HasPrefix(o, stopCluster+" ") && strings.Contains(o, "state-Unreachable") {
			t.Errorf("%s is shown unreachable too", o)
		}
	}

	if path := os.Getenv(ScreenshotEnv); path != "" {
		var png []byte
		run("screenshot", chromedp.FullScreenshot(&png, 100))
		if !filepath.IsAbs(path) {
			path = filepath.Join(testenv.RepoRoot(t), path)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", path, len(png))
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("browser console: %s", p)
	}
}
