package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/flux-ledger/flux-ledger/generator/dashboard"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/plan"
	"github.com/flux-ledger/flux-ledger/generator/status"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// hostileMarkup is what a hostile cluster's failed observer can print: markup that
// would run script or add an element if the page parsed it as HTML.
const hostileMarkup = `error: <img src=x onerror="window.pwned=1"><script>window.pwned=2</script></td><td>Ready`

// channelReport has one channel: contoso's observation, fabrikam's observer failing
// with hostileMarkup, and a pending join lacking two signatures.
func channelReport() *status.Report {
	return &status.Report{Clusters: report.Clusters, Channels: []status.Channel{{
		Channel:      "trade",
		Desired:      status.ChannelConfig{Members: []string{"contoso", "fabrikam", "northwind"}, Consenters: []string{"contoso-orderer-1"}},
		Recorded:     status.ChannelConfig{Members: []string{"contoso", "fabrikam"}, Consenters: []string{"contoso-orderer-1"}},
		RecordedFrom: "record",
		OnChain:      &status.ChannelConfig{Members: []string{"contoso", "fabrikam"}, Consenters: []string{"contoso-orderer-1"}},
		Observations: []status.ChannelObservation{
			{Party: "contoso", Cluster: "contoso-aks-weu", State: status.ObservedOK, Fetched: "2026-12-06T10:00:00Z", Old: true,
				Config: &status.ChannelConfig{Members: []string{"contoso", "fabrikam"}, Consenters: []string{"contoso-orderer-1"}}},
			{Party: "fabrikam", Cluster: "fabrikam-gke-euw3", State: status.ObservedFailed, Cause: "observer failed: " + hostileMarkup},
		},
		Notes: []string{"chain vs model: members not on chain yet: northwind"},
		Pending: &plan.ChannelUpdate{Channel: "trade", Change: "add", Party: "northwind", Organisation: "NorthwindMSP", Sequence: 1,
			Envelope: "channels/trade/updates/1-add-northwind.pb", Signatures: []plan.ChannelSignatures{{
				Modifies: "/Channel/Application", Policy: "/Channel/Application/Admins", Rule: "MAJORITY Admins", Required: 2,
				Of: []string{"ContosoMSP", "FabrikamMSP"}, SignedBy: []string{}, Missing: []string{"contoso", "fabrikam"}, More: 2}}},
	}}}
}

func serving(t *testing.T, r *status.Report) *dashboard.Dashboard {
	t.Helper()
	result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := dashboard.New(dashboard.Options{Network: result.Network, Collect: func(context.Context) *status.Report { return r }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go d.Run(ctx)
	return d
}

// /api/status carries a channel's hostile text exactly, and as JSON that no HTML
// parser reads as markup (encoding/json escapes <, > and &).
func TestAPIStatusCarriesChannelsExactly(t *testing.T) {
	d := serving(t, channelReport())
	var body string
	testenv.Eventually(t, "the first reading", 10*time.Second, func() error {
		w := get(t, d, "GET", "/api/status", "")
		body = w.Body.String()
		if w.Code != 200 {
			return fmt.Errorf("GET /api/status: %d", w.Code)
		}
		return nil
	})
	if strings.ContainsAny(body, "<>") {
		t.Errorf("/api/status carries raw markup:\n%s", body)
	}
	var back status.Report
	if err := json.Unmarshal([]byte(body), &back); err != nil {
		t.Fatal(err)
	}
	if got := back.Channels[0].Observations[1].Cause; got != "observer failed: "+hostileMarkup {
		t.Errorf("cause after the API: %q", got)
	}
}

// The Channels section in a real browser (Debian's headless Chromium): one row per
// channel with its sequence, members and consenters on chain against the model and
// the pending update, the details listing each observation and the signatures still
// needed; a hostile observer message shows as text and adds no element.
func TestChannelsSectionInABrowser(t *testing.T) {
	tab := testenv.Browser(t, 1280, 900, nil)
	server := httptest.NewServer(serving(t, channelReport()))
	defer server.Close()
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	defer cancel()
	var row, details string
	var hidden, pwned bool
	var images int
	err := chromedp.Run(ctx,
		chromedp.Navigate(server.URL+"/"),
		chromedp.Poll(`document.querySelector("#channel-rows tr") !== null`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(`document.getElementById("channels").hidden`, &hidden),
		chromedp.Evaluate(`[...document.querySelectorAll("#channel-rows tr:first-child > td")].slice(0, 6).map((td) => td.textContent).join(" | ")`, &row),
		chromedp.Evaluate(`[...document.querySelectorAll("#channel-rows li")].map((li) => li.textContent).join("\n")`, &details),
		chromedp.Evaluate(`document.querySelectorAll("#channels img, #channels script").length`, &images),
		chromedp.Evaluate(`window.pwned !== undefined`, &pwned),
	)
	if err != nil {
		t.Fatal(err)
	}
	if hidden || row != "trade | 0 | 0 (record) | 2 of 3 | 1 of 1 | add northwind → sequence 1" {
		t.Errorf("hidden %v, row %q", hidden, row)
	}
	want := strings.Join([]string{
		"contoso (contoso-aks-weu): sequence 0, members contoso, fabrikam; consenters contoso-orderer-1, read 2026-12-06T10:00:00Z (over 30m ago: the observer has not succeeded since)",
		"fabrikam (fabrikam-gke-euw3): observer failed: " + hostileMarkup,
		"chain vs model: members not on chain yet: northwind",
		"channels/trade/updates/1-add-northwind.pb: /Channel/Application/Admins (MAJORITY Admins), 2 of ContosoMSP, FabrikamMSP: no signature yet; needs 2 more of: contoso, fabrikam",
	}, "\n")
	if details != want {
		t.Errorf("details:\n%s\nwant:\n%s", details, want)
	}
	if images != 0 || pwned {
		t.Errorf("the hostile message became markup: %d elements, script ran %v", images, pwned)
	}
}

// The validators section shows each party's ledger at a glance: how far behind the
// highest reading it is, when its latest block was made, its peers; a party behind is
// marked as Behind, one whose node could not be read shows no ledger.
func TestLedgerHealthInABrowser(t *testing.T) {
	r := &status.Report{Clusters: report.Clusters, Validators: []status.Validators{
		{Party: "contoso", Node: "contoso-rpc-1", Block: 120, BlockTime: "2026-12-06T10:00:00Z", Peers: 4},
		{Party: "fabrikam", Node: "fabrikam-rpc-1", Block: 97, BlockTime: "2026-12-06T09:59:37Z", Peers: 1},
		{Party: "northwind", Node: "northwind-rpc-1", Error: "connection refused by 10.0.0.3:6443 (context northwind)"},
	}}
	tab := testenv.Browser(t, 1280, 900, nil)
	server := httptest.NewServer(serving(t, r))
	defer server.Close()
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	defer cancel()
	var rows, behind string
	err := chromedp.Run(ctx,
		chromedp.Navigate(server.URL+"/"),
		chromedp.Poll(`document.querySelector("#validator-rows tr") !== null`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(`[...document.querySelectorAll("#validator-rows tr")].map((tr) => [...tr.children].slice(0, 4).map((td) => td.textContent).join(" | ")).join("\n")`, &rows),
		chromedp.Evaluate(`[...document.querySelectorAll("#validator-rows tr.state-Behind > td:first-child")].map((td) => td.textContent).join(",")`, &behind),
	)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"contoso | contoso-rpc-1 | 120 | highest · made 2026-12-06T10:00:00Z · 4 peers",
		"fabrikam | fabrikam-rpc-1 | 97 | 23 blocks behind · made 2026-12-06T09:59:37Z · 1 peers",
		"northwind | northwind-rpc-1 | - | -",
	}, "\n")
	if rows != want || behind != "fabrikam" {
		t.Errorf("rows:\n%s\nwant:\n%s\nmarked behind: %q", rows, want, behind)
	}
}
