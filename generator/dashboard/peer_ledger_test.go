package dashboard_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/flux-ledger/flux-ledger/generator/status"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// The Ledger section shows each Fabric peer's height per channel at a glance, the
// drift from the highest party marked: problems first (unreadable, a channel not
// joined, the furthest behind), then the parties that do not share the reading, then
// the ones at the top; a hostile cause stays text.
func TestPeerLedgersInABrowser(t *testing.T) {
	r := &status.Report{Clusters: report.Clusters, PeerLedgers: []status.PeerLedger{
		{Party: "contoso", Cluster: "contoso-aks-weu", Peer: "contoso-peer-1", State: status.LedgerRead,
			Channels: []status.ChannelHeight{{Channel: "trade", Height: 120}}},
		{Party: "fabrikam", Cluster: "fabrikam-gke-euw3", Peer: "fabrikam-peer-1", State: status.LedgerRead,
			Channels: []status.ChannelHeight{{Channel: "trade", Height: 97, Behind: 23}}},
		{Party: "northwind", Cluster: "northwind-eks-euc1", Peer: "northwind-peer-1", State: status.LedgerNotShared, Channels: []status.ChannelHeight{},
			Cause: "not shared: the API server refuses the proxy to the peer's metrics (get on services/proxy in tradechain-northwind)"},
		{Party: "woodgrove", Cluster: "woodgrove-hci-ams", Peer: "woodgrove-peer-1", State: status.LedgerUnreadable, Channels: []status.ChannelHeight{},
			Cause: hostileMarkup},
		{Party: "zeta", Cluster: "zeta-aks", Peer: "zeta-peer-1", State: status.LedgerRead,
			Channels: []status.ChannelHeight{{Channel: "trade", Missing: true}}},
	}}
	tab := testenv.Browser(t, 1280, 900, nil)
	server := httptest.NewServer(serving(t, r))
	defer server.Close()
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	defer cancel()
	var rows, behind, unreadable, notShared string
	var hidden, pwned bool
	var images int
	err := chromedp.Run(ctx,
		chromedp.Navigate(server.URL+"/"),
		chromedp.Poll(`document.querySelector("#peer-ledger-rows tr") !== null`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(`document.getElementById("peer-ledgers").hidden`, &hidden),
		chromedp.Evaluate(`[...document.querySelectorAll("#peer-ledger-rows tr")].map((tr) => [...tr.children].map((td) => td.textContent).join(" | ")).join("\n")`, &rows),
		chromedp.Evaluate(`[...document.querySelectorAll("#peer-ledger-rows tr.state-Behind > td:first-child")].map((td) => td.textContent).join(",")`, &behind),
		chromedp.Evaluate(`[...document.querySelectorAll("#peer-ledger-rows tr.state-Unreachable > td:first-child")].map((td) => td.textContent).join(",")`, &unreadable),
		chromedp.Evaluate(`[...document.querySelectorAll("#peer-ledger-rows tr.state-NotShared > td:first-child")].map((td) => td.textContent).join(",")`, &notShared),
		chromedp.Evaluate(`document.querySelectorAll("#peer-ledgers img, #peer-ledgers script").length`, &images),
		chromedp.Evaluate(`window.pwned !== undefined`, &pwned),
	)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"woodgrove | woodgrove-peer-1 | woodgrove-hci-ams | - | " + hostileMarkup,
		"zeta | zeta-peer-1 | zeta-aks | trade: no ledger (not joined) | the peer has not joined every channel its party is a member of",
		"fabrikam | fabrikam-peer-1 | fabrikam-gke-euw3 | trade: 97 · 23 blocks behind | ",
		"northwind | northwind-peer-1 | northwind-eks-euc1 | - | not shared: the API server refuses the proxy to the peer's metrics (get on services/proxy in tradechain-northwind)",
		"contoso | contoso-peer-1 | contoso-aks-weu | trade: 120 · highest | ",
	}, "\n")
	if hidden || rows != want {
		t.Errorf("hidden %v, rows:\n%s\nwant:\n%s", hidden, rows, want)
	}
	if behind != "zeta,fabrikam" || unreadable != "woodgrove" || notShared != "northwind" {
		t.Errorf("marked behind %q, unreadable %q, not shared %q", behind, unreadable, notShared)
	}
	if images != 0 || pwned {
		t.Errorf("the hostile cause became markup: %d elements, script ran %v", images, pwned)
	}
}
