package dashboard_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/flux-ledger/flux-ledger/generator/status"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// readProposals is what a party's node says of the last two rounds of 7 validators
// before block 21: every validator proposed two blocks but northwind-validator-2.
func readProposals() *status.Proposals {
	p := &status.Proposals{From: 6, To: 19, Whole: true}
	for i, node := range []string{"contoso-validator-1", "contoso-validator-2", "fabrikam-validator-1", "fabrikam-validator-2", "northwind-validator-1", "northwind-validator-2", "woodgrove-validator-1"} {
		q := status.Proposer{Member: status.Member{Address: fmt.Sprintf("0x%040x", i+1), Node: node, Party: strings.SplitN(node, "-", 2)[0]},
			Proposed: 2, LastProposed: uint64(13 + i)}
		if node == "northwind-validator-2" {
			q = status.Proposer{Member: q.Member, Silent: true}
		}
		p.Validators = append(p.Validators, q)
	}
	return p
}

// The validators section says once, above the table, which validator the parties
// read as silent for two whole rounds, and who read it so; each party's row says how
// many validators proposed; a party whose node did not answer shows "not read" and
// why, as text, and is marked.
func TestSilentValidatorsInABrowser(t *testing.T) {
	r := &status.Report{Clusters: report.Clusters, Validators: []status.Validators{
		{Party: "contoso", Node: "contoso-rpc-1", Block: 20, Peers: 6, Proposals: readProposals()},
		{Party: "fabrikam", Node: "fabrikam-rpc-1", Block: 20, Peers: 6, Proposals: readProposals()},
		{Party: "northwind", Node: "northwind-rpc-1", Block: 20, Peers: 6,
			Proposals: &status.Proposals{From: 6, To: 19, Whole: true, Validators: []status.Proposer{}, Error: hostileMarkup}},
	}}
	tab := testenv.Browser(t, 1280, 900, nil)
	server := httptest.NewServer(serving(t, r))
	defer server.Close()
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	defer cancel()
	var silent, proposed, notRead, message, title string
	var pwned bool
	err := chromedp.Run(ctx,
		chromedp.Navigate(server.URL+"/"),
		chromedp.Poll(`document.querySelector("#validator-rows tr") !== null`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(`[...document.querySelectorAll("#silent-validators:not([hidden]) li")].map((li) => li.textContent).join("\n")`, &silent),
		chromedp.Evaluate(`[...document.querySelectorAll("#validator-rows tr")].map((tr) => tr.children[0].textContent + ": " + tr.children[5].textContent).join(", ")`, &proposed),
		chromedp.Evaluate(`[...document.querySelectorAll("#validator-rows tr.state-NotRead > td:first-child")].map((td) => td.textContent).join(",")`, &notRead),
		chromedp.Evaluate(`document.querySelector("#validator-rows tr.state-NotRead td.message").textContent`, &message),
		chromedp.Evaluate(`document.querySelector("#validator-rows tr td:nth-child(6)").title`, &title),
		chromedp.Evaluate(`window.pwned !== undefined`, &pwned),
	)
	if err != nil {
		t.Fatal(err)
	}
	if want := "northwind-validator-2 (party northwind) has not proposed in 2 whole rounds (the last 14 blocks of 7 validators), as 2 parties read it: it is down, cut off, or its key is not the one on chain"; silent != want {
		t.Errorf("silent validators:\n%s\nwant:\n%s", silent, want)
	}
	if want := "contoso: 6 of 7, fabrikam: 6 of 7, northwind: not read"; proposed != want {
		t.Errorf("proposed column %q, want %q", proposed, want)
	}
	if notRead != "northwind" || !strings.HasPrefix(message, "proposers not read: "+hostileMarkup+"\n") || pwned {
		t.Errorf("marked not read %q, message %q, script ran %v", notRead, message, pwned)
	}
	if !strings.Contains(title, "contoso-validator-1: 2, the last 13\n") || !strings.Contains(title, "northwind-validator-2: 0\n") {
		t.Errorf("the proposed cell's title does not list each validator's proposals:\n%s", title)
	}
}
