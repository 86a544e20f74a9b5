package dashboard_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/dashboard"
	"github.com/flux-ledger/flux-ledger/generator/load"
	"github.com/flux-ledger/flux-ledger/generator/status"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

var report = &status.Report{Head: "0123456789abcdef", Clusters: []status.Cluster{
	{Cluster: "contoso-aks-weu", Party: "contoso", State: status.StateReady, Kustomizations: []status.Kustomization{}, Nodes: []status.Node{}},
	{Cluster: "woodgrove-hci-ams", Party: "woodgrove", State: status.StateUnreachable, Error: "dial tcp: refused", Kustomizations: []status.Kustomization{}, Nodes: []status.Node{}},
}}

// started is a dashboard of the reference network whose clusters have been read once.
func started(t *testing.T, loopback bool) *dashboard.Dashboard {
	t.Helper()
	result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := dashboard.New(dashboard.Options{Network: result.Network, Loopback: loopback,
		Collect: func(context.Context) *status.Report { return report }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go d.Run(ctx)
	testenv.Eventually(t, "the first reading", 10*time.Second, func() error {
		if w := get(t, d, "GET", "/api/status", "127.0.0.1"); w.Code != 200 {
			return fmt.Errorf("GET /api/status: %d", w.Code)
		}
		return nil
	})
	return d
}

func get(t *testing.T, h http.Handler, method, target, host string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	if host != "" {
		r.Host = host
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// /api/status is byte for byte what `flux-ledger status --output json` prints.
func TestAPIStatusIsTheStatusJSON(t *testing.T) {
	var want bytes.Buffer
	report.JSON(&want)
	w := get(t, started(t, false), "GET", "/api/status", "")
	if w.Code != 200 || w.Body.String() != want.String() || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/status: %d %s\n%s", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
}

// Before the first reading the API says so instead of waiting on the clusters.
func TestAPIStatusBeforeTheFirstReading(t *testing.T) {
	result, err := load.Network(filepath.Join(testenv.RepoRoot(t), "cue"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := dashboard.New(dashboard.Options{Network: result.Network, Collect: func(context.Context) *status.Report { return report }})
	if err != nil {
		t.Fatal(err)
	}
	if w := get(t, d, "GET", "/api/status", ""); w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("GET /api/status before any reading: %d, want 503 with Retry-After", w.Code)
	}
}

// The dashboard is read-only, serves what it embeds and nothing else, and a loopback
// dashboard answers to loopback host names only.
func TestDashboardIsReadOnly(t *testing.T) {
	d := started(t, true)
	for _, c := range []struct {
		method, path, host string
		code               int
	}{
		{"GET", "/", "127.0.0.1:8080", 200},
		{"HEAD", "/app.js", "localhost:8080", 200},
		{"GET", "/app.css", "[::1]:8080", 200},
		{"GET", "/graph.svg", "127.0.0.1", 200},
		{"POST", "/api/status", "127.0.0.1", http.StatusMethodNotAllowed},
		{"PUT", "/", "127.0.0.1", http.StatusMethodNotAllowed},
		{"DELETE", "/api/status", "127.0.0.1", http.StatusMethodNotAllowed},
		{"GET", "/index.html", "127.0.0.1", 404},
		{"GET", "/../dashboard.go", "127.0.0.1", 404},
		{"GET", "/", "attacker.example:8080", http.StatusMisdirectedRequest},
	} {
		w := get(t, d, c.method, c.path, c.host)
		if w.Code != c.code {
			t.Errorf("%s %s (Host %s): %d, want %d", c.method, c.path, c.host, w.Code, c.code)
		}
		if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s %s: Content-Security-Policy %q", c.method, c.path, csp)
		}
	}
}

// Nothing the page loads comes from elsewhere: no CDN, no web font, no remote script.
func TestAssetsLoadNothingFromElsewhere(t *testing.T) {
	d := started(t, false)
	remote := regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}|@import|url\(`)
	for _, path := range []string{"/", "/app.js", "/app.css", "/graph.svg"} {
		body, _ := io.ReadAll(get(t, d, "GET", path, "").Body)
		text := strings.ReplaceAll(string(body), "http://www.w3.org/2000/svg", "")
		if m := remote.FindString(text); m != "" {
			t.Errorf("%s refers to %q", path, m)
		}
	}
}
