// Package dashboard serves the network's status as a small web page: the topology
// picture (package graph) coloured by each cluster's live state, and per cluster and
// party the Flux state, revision and how far behind HEAD, node readiness and Kyverno
// policy report counts. The same report is served as JSON at /api/status, byte for
// byte what `flux-ledger status --output json` prints.
//
// The page is read-only (GET and HEAD only), its assets are embedded in the binary
// (no CDN, no web font, no framework: one HTML file, one script, one stylesheet), and
// the clusters are read in the background with the CLI's per-cluster timeouts: a
// request never waits on a cluster, and one unreachable cluster never blocks the page.
package dashboard

import (
	"bytes"
	"context"
	"embed"
	"io/fs"
	"sync"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/graph"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/status"
)

//go:embed assets
var embedded embed.FS

// DefaultInterval is how often the clusters are read when Options.Interval is zero.
const DefaultInterval = 10 * time.Second

// Options say what the dashboard shows and how it reads the clusters.
type Options struct {
	Network *model.Network
	// Collect reads every cluster once (status.Collect with the CLI's options).
	Collect func(ctx context.Context) *status.Report
	// Interval between two readings (default DefaultInterval).
	Interval time.Duration
	// Loopback refuses requests addressed to any host but a loopback one, so a web
	// page elsewhere cannot reach a dashboard on 127.0.0.1 through DNS rebinding.
	Loopback bool
}

// Dashboard is the HTTP handler; Run keeps its report fresh.
type Dashboard struct {
	opts   Options
	assets fs.FS
	svg    []byte

	mu        sync.RWMutex
	report    []byte // JSON; nil until the first reading
	collected time.Time
}

// New draws the network's picture and returns the dashboard, with no report yet.
func New(opts Options) (*Dashboard, error) {
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	g, err := graph.Build(opts.Network, graph.Options{})
	if err != nil {
		return nil, err
	}
	var svg bytes.Buffer
	if err := g.SVG(&svg); err != nil {
		return nil, err
	}
	assets, err := fs.Sub(embedded, "assets")
	if err != nil {
		return nil, err
	}
	return &Dashboard{opts: opts, assets: assets, svg: svg.Bytes()}, nil
}

// Run reads every cluster now and then every Interval, until ctx is done.
func (d *Dashboard) Run(ctx context.Context) {
	ticker := time.NewTicker(d.opts.Interval)
	defer ticker.Stop()
	for {
		d.collect(ctx)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

func (d *Dashboard) collect(ctx context.Context) {
	report := d.opts.Collect(ctx)
	if ctx.Err() != nil {
		return
	}
	var b bytes.Buffer
	if err := report.JSON(&b); err != nil {
		return
	}
	d.mu.Lock()
	d.report, d.collected = b.Bytes(), time.Now()
	d.mu.Unlock()
}

// latest is the last report's JSON and when it was read (nil before the first).
func (d *Dashboard) latest() ([]byte, time.Time) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.report, d.collected
}
