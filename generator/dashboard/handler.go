package dashboard

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Content-Security-Policy of every response: the page runs its own script and
// stylesheet only, fetches only from itself, and may not be framed.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

var assetTypes = map[string]string{
	"/":          "index.html",
	"/app.js":    "app.js",
	"/app.css":   "app.css",
	"/graph.svg": "",
}

// ServeHTTP serves the page, its assets, the picture and /api/status.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	if d.opts.Loopback && !loopbackHost(r.Host) {
		http.Error(w, "this dashboard answers only to a loopback host name (127.0.0.1, localhost, [::1])", http.StatusMisdirectedRequest)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "read-only: GET and HEAD only", http.StatusMethodNotAllowed)
		return
	}
	switch r.URL.Path {
	case "/api/status":
		report, collected := d.latest()
		h.Set("Cache-Control", "no-store")
		if report == nil {
			h.Set("Retry-After", "1")
			http.Error(w, "reading the clusters for the first time", http.StatusServiceUnavailable)
			return
		}
		h.Set("Content-Type", "application/json")
		h.Set("X-Collected-At", collected.UTC().Format(time.RFC3339))
		h.Set("X-Refresh-Seconds", strconv.Itoa(int(d.opts.Interval.Seconds())))
		_, _ = w.Write(report) // a client that went away cannot be told
	case "/graph.svg":
		h.Set("Content-Type", "image/svg+xml")
		http.ServeContent(w, r, "graph.svg", time.Time{}, bytes.NewReader(d.svg))
	default:
		name, ok := assetTypes[r.URL.Path]
		if !ok || name == "" {
			http.NotFound(w, r)
			return
		}
		http.ServeFileFS(w, r, d.assets, name)
	}
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ListenAddress is where --serve listens: ADDR as given, or, when it names no host
// (":8080"), the loopback address. It reports whether that address is loopback.
func ListenAddress(addr string) (string, bool, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", false, fmt.Errorf("--serve %q: want HOST:PORT or :PORT", addr)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	return net.JoinHostPort(host, port), host == "localhost" || ip != nil && ip.IsLoopback(), nil
}

// Serve listens on addr (see ListenAddress), reads the clusters in the background
// and serves the dashboard until ctx is done. listening is told the page's URL.
func Serve(ctx context.Context, addr string, opts Options, listening func(url string)) error {
	addr, loopback, err := ListenAddress(addr)
	if err != nil {
		return err
	}
	opts.Loopback = loopback
	d, err := New(opts)
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	server := &http.Server{Handler: d, ReadHeaderTimeout: 10 * time.Second}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go d.Run(ctx)
	go func() { //nolint:gosec // ctx is done when this runs: the grace period needs a context of its own
		<-ctx.Done()
		shutdown, done := context.WithTimeout(context.Background(), 5*time.Second)
		defer done()
		if server.Shutdown(shutdown) != nil {
			server.Close() // the grace period is over: close the connections still open
		}
	}()
	listening("http://" + listener.Addr().String() + "/")
	if err := server.Serve(listener); err != http.ErrServerClosed {
		return err
	}
	return nil
}
