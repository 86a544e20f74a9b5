package testenv

import (
	"context"
	"testing"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
)

// Browser starts Debian's headless Chromium (bin/chromium, from make tools) and returns
// a tab to drive with chromedp, closed when the test ends. listen, when not nil, gets
// every event of the tab (console calls, exceptions, log entries: the log domain is
// enabled). The browser is started here, so the caller may give its own chromedp.Run
// calls deadlines (a deadline on the first Run would end the browser with it).
func Browser(t testing.TB, width, height int, listen func(ev any)) context.Context {
	t.Helper()
	path := Tool(t, "chromium")
	allocator, cancelAllocator := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(width, height))...)
	tab, cancelTab := chromedp.NewContext(allocator)
	t.Cleanup(func() {
		cancelTab()
		cancelAllocator()
	})
	if listen != nil {
		chromedp.ListenTarget(tab, listen)
	}
	if err := chromedp.Run(tab, cdplog.Enable()); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return tab
}
