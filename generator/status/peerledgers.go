package status

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	prommodel "github.com/prometheus/common/model"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/rest"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
)

// A Fabric party's ledger health is read from each of its peers' operations service:
// GET /metrics through the cluster's API server (the Service proxy,
// /api/v1/namespaces/<ns>/services/<peer>:operations/proxy/metrics), the series
// ledger_blockchain_height{channel} — the height of the peer's copy of each channel
// (Fabric v2.5.16 common/ledger/blkstorage/metrics.go blockchainHeightOpts, set to the
// last block's number + 1 by blockstore.go; the same in v3.1.5).
//
// Why there and not in the channel observer's summary (`peer channel getinfo`): the
// operations service answers for every peer, as of now, without a Fabric identity
// (core/operations/system.go registers /metrics with promhttp.Handler; the rendered
// operations TLS is off), through the same read-only path and credentials status
// already uses for a Besu party's RPC node; the observer runs as one peer per party
// every 10 minutes, and its summary must stay within a termination message. The
// party decides whether it shares the reading: an API server that refuses the proxy
// (403) is reported as not shared, not as a fault.
const (
	// heightMetric is the series read (monitoring.Metrics lists it for the rules).
	heightMetric = "ledger_blockchain_height"
	// maxMetrics bounds what status reads of one peer's /metrics: a peer's exposition
	// is tens of kilobytes per channel; anything larger is not a peer's.
	maxMetrics = 8 << 20
	// maxHeight: Fabric casts the height to float64, exact up to 2^53 (the comment
	// in blkstorage/metrics.go updateBlockchainHeight).
	maxHeight = 1 << 53
)

// Peer ledger states.
const (
	LedgerRead       = "read"
	LedgerNotShared  = "notShared"  // the party's API server refuses the proxy to the peer
	LedgerUnreadable = "unreadable" // no answer, or one that is not a peer's metrics
)

// PeerLedger is one Fabric peer's ledger height on each channel, as its operations
// service reports it.
type PeerLedger struct {
	Party    string          `json:"party"`
	Cluster  string          `json:"cluster"`
	Peer     string          `json:"peer"`
	State    string          `json:"state"`
	Cause    string          `json:"cause,omitempty"`
	Channels []ChannelHeight `json:"channels"`
}

// ChannelHeight is a peer's height on one channel of the model: the channels the
// chain's recorded config makes its party a member of, and any other channel of the
// model the peer reports.
type ChannelHeight struct {
	Channel string `json:"channel"`
	// Height is the number of blocks in the peer's ledger of the channel.
	Height uint64 `json:"height"`
	// Behind is how many blocks the peer is behind the highest height any party's
	// peer reports on the channel: the drift between parties.
	Behind uint64 `json:"behind"`
	// Missing says the peer reports no ledger of a channel its party is a member of
	// (it has not joined it).
	Missing bool `json:"missing,omitempty"`
}

// peerLedgerReads lists every peer of the network, by party then name, with the
// launched channels its party is a member of as the record has them.
func peerLedgerReads(network *model.Network) []PeerLedger {
	if network.Fabric == nil {
		return nil
	}
	members := map[string][]string{}
	for _, name := range network.Fabric.ChannelNames() {
		recorded, _, ok, err := fabric.OnChain(network, name)
		if !ok || err != nil {
			continue
		}
		for _, party := range recorded.Members {
			members[party] = append(members[party], name)
		}
	}
	var out []PeerLedger
	byParty := network.NodesByParty()
	for _, party := range network.PartyNames() {
		nodes := slices.Clone(byParty[party])
		slices.SortFunc(nodes, func(a, b model.Node) int { return strings.Compare(a.Name, b.Name) })
		for _, n := range nodes {
			if n.Role != model.RolePeer {
				continue
			}
			l := PeerLedger{Party: party, Cluster: n.Cluster, Peer: n.Name, State: LedgerUnreadable, Channels: []ChannelHeight{}}
			for _, ch := range sorted(members[party]) {
				l.Channels = append(l.Channels, ChannelHeight{Channel: ch, Missing: true})
			}
			out = append(out, l)
		}
	}
	return out
}

// readPeerLedger fills l from its peer's metrics; a failure is its state and cause.
func readPeerLedger(ctx context.Context, network *model.Network, l *PeerLedger, opts Options) {
	cluster := network.Clusters[l.Cluster]
	kubeContext := contextOf(cluster, opts)
	namespace := network.Parties[l.Party].Namespace
	config, err := restConfig(kubeContext, opts)
	var heights map[string]uint64
	if err == nil {
		heights, err = peerHeights(ctx, config, namespace, l.Peer)
	}
	switch {
	case err == nil:
		l.State = LedgerRead
	case apierrors.IsForbidden(err):
		l.State, l.Cause = LedgerNotShared, fmt.Sprintf("not shared: the API server refuses the proxy to the peer's metrics (get on services/proxy in %s)", namespace)
		return
	default:
		host := ""
		if config != nil {
			host = config.Host
		}
		_, l.Cause = cause(err, cluster, kubeContext, host, opts)
		return
	}
	for i := range l.Channels {
		if h, ok := heights[l.Channels[i].Channel]; ok {
			l.Channels[i] = ChannelHeight{Channel: l.Channels[i].Channel, Height: h}
			delete(heights, l.Channels[i].Channel)
		}
	}
	// Channels of the model the peer has a ledger of although the record does not
	// make its party a member (joined before the record, or left since).
	for _, name := range network.Fabric.ChannelNames() {
		if h, ok := heights[name]; ok {
			l.Channels = append(l.Channels, ChannelHeight{Channel: name, Height: h})
		}
	}
	slices.SortFunc(l.Channels, func(a, b ChannelHeight) int { return strings.Compare(a.Channel, b.Channel) })
}

// peerHeights reads a peer's ledger_blockchain_height per channel label.
func peerHeights(ctx context.Context, config *rest.Config, namespace, peer string) (map[string]uint64, error) {
	client, err := proxyClient(config)
	if err != nil {
		return nil, err
	}
	path := fmt.Sprintf("/api/v1/namespaces/%s/services/%s:%s/proxy/metrics", namespace, peer, fabric.PortOperations)
	// The text exposition format: promhttp answers it to this Accept (and to none).
	body, err := client.Get().AbsPath(path).SetHeader("Accept", string(expfmt.NewFormat(expfmt.TypeTextPlain))).Stream(ctx)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, maxMetrics+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	if len(data) > maxMetrics {
		return nil, fmt.Errorf("GET %s: more than %d bytes: not a peer's metrics", path, maxMetrics)
	}
	return parseHeights(data)
}

// parseHeights reads the ledger_blockchain_height gauge of a Prometheus text
// exposition, by channel. What a cluster answers is untrusted: a height must be a
// whole number Fabric can have set.
func parseHeights(data []byte) (map[string]uint64, error) {
	parser := expfmt.NewTextParser(prommodel.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("metrics not understood: %s", clip(oneLine(err.Error())))
	}
	family, ok := families[heightMetric]
	if !ok {
		return nil, errors.New("the peer's metrics have no " + heightMetric + ": is its metrics.provider prometheus?")
	}
	if family.GetType() != dto.MetricType_GAUGE {
		return nil, fmt.Errorf("%s is a %s, not a gauge", heightMetric, strings.ToLower(family.GetType().String()))
	}
	out := map[string]uint64{}
	for _, m := range family.GetMetric() {
		channel := ""
		for _, l := range m.GetLabel() {
			if l.GetName() == "channel" {
				channel = l.GetValue()
			}
		}
		v := m.GetGauge().GetValue()
		if channel == "" || math.IsNaN(v) || v < 0 || v > maxHeight || v != math.Trunc(v) {
			return nil, fmt.Errorf("%s{channel=%q} %v is not a channel's height", heightMetric, clip(channel), v)
		}
		out[channel] = uint64(v)
	}
	return out, nil
}

// fillBehind sets each channel height's Behind: the blocks to the highest height any
// peer read reports on the channel.
func fillBehind(ledgers []PeerLedger) {
	top := map[string]uint64{}
	for _, l := range ledgers {
		for _, c := range l.Channels {
			if !c.Missing {
				top[c.Channel] = max(top[c.Channel], c.Height)
			}
		}
	}
	for i := range ledgers {
		for j := range ledgers[i].Channels {
			if c := &ledgers[i].Channels[j]; !c.Missing {
				c.Behind = top[c.Channel] - c.Height
			}
		}
	}
}

// worstBehind is how far the peer's furthest-behind channel is, for ordering.
func (l PeerLedger) worstBehind() uint64 {
	var w uint64
	for _, c := range l.Channels {
		w = max(w, c.Behind)
	}
	return w
}

// rank orders peer ledgers problems first: unreadable, a channel ledger missing,
// behind (furthest first), not shared, up to date.
func (l PeerLedger) rank() int {
	switch {
	case l.State == LedgerUnreadable:
		return 0
	case slices.ContainsFunc(l.Channels, func(c ChannelHeight) bool { return c.Missing }) && l.State == LedgerRead:
		return 1
	case l.worstBehind() > 0:
		return 2
	case l.State == LedgerNotShared:
		return 3
	}
	return 4
}

// peerLedgersProblemsFirst sorts peer ledgers by rank, then the furthest behind,
// then party and peer name, so the peers that need someone lead at 40 parties.
func peerLedgersProblemsFirst(ledgers []PeerLedger) []PeerLedger {
	out := slices.Clone(ledgers)
	slices.SortStableFunc(out, func(a, b PeerLedger) int {
		if d := a.rank() - b.rank(); d != 0 {
			return d
		}
		if a.worstBehind() != b.worstBehind() {
			if a.worstBehind() > b.worstBehind() {
				return -1
			}
			return 1
		}
		if d := strings.Compare(a.Party, b.Party); d != 0 {
			return d
		}
		return strings.Compare(a.Peer, b.Peer)
	})
	return out
}
