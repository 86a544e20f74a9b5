package status

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/plan"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/lifecycle"
)

// Channel is one launched Fabric channel: its members and consenters as the model
// wants them, as cue/channels.cue records them and as each member party's channel
// observer last read them from the orderers, with the pending config update and the
// signatures it still lacks.
type Channel struct {
	Channel string `json:"channel"`
	// Desired are the model's members (parties) and consenters (orderer nodes); its
	// sequence is the record's.
	Desired ChannelConfig `json:"desired"`
	// Recorded is cue/channels.cue's onChain record or, when the channel has none
	// (RecordedFrom "genesis"), the frozen genesis block's config.
	Recorded     ChannelConfig `json:"recorded"`
	RecordedFrom string        `json:"recordedFrom"` // "record" or "genesis"
	// Observations are, per member party, what its observer read last.
	Observations []ChannelObservation `json:"observations"`
	// OnChain is the highest-sequence config observed; nil without an observation.
	OnChain *ChannelConfig `json:"onChain,omitempty"`
	// Disagree says that observing parties read different configs (one may be a run
	// behind, or an orderer may lag); Notes name them.
	Disagree bool `json:"disagree"`
	// Notes say, one line each, where the chain, the model and the record differ.
	Notes []string `json:"notes,omitempty"`
	// Pending is the channel's pending member or consenter update, and its
	// signatures, as `flux-ledger plan` computes them from the repository.
	Pending *plan.ChannelUpdate `json:"pending,omitempty"`
	// Refused are plan's refusals of the channel's pending change.
	Refused []string `json:"refused,omitempty"`
	Error   string   `json:"error,omitempty"`
}

// ChannelConfig is a channel config in the model's terms: its config sequence, its
// members as parties and its consenters as orderer nodes, sorted. An MSP ID no party
// has and a consenter endpoint no orderer node has are in Unknown….
type ChannelConfig struct {
	Sequence          uint64   `json:"sequence"`
	Members           []string `json:"members"`
	Consenters        []string `json:"consenters"`
	UnknownMembers    []string `json:"unknownMembers,omitempty"`
	UnknownConsenters []string `json:"unknownConsenters,omitempty"`
}

// Observation states.
const (
	ObservedOK         = "observed"
	ObservedNone       = "none"       // no observer run finished yet
	ObservedFailed     = "failed"     // no run succeeded; Cause is the last failure
	ObservedUnreadable = "unreadable" // the cluster could not be read, or what it said is not an observation
)

// ChannelObservation is what one member party's observer read last.
type ChannelObservation struct {
	Party   string         `json:"party"`
	Cluster string         `json:"cluster"`
	State   string         `json:"state"`
	Cause   string         `json:"cause,omitempty"`
	Config  *ChannelConfig `json:"config,omitempty"`
	// Fetched is when the observer read the config block (RFC 3339).
	Fetched string `json:"fetched,omitempty"`
	// LastRunFailed is why the run after the observation failed: the observation
	// may be old.
	LastRunFailed string `json:"lastRunFailed,omitempty"`
	// Old says the observation was fetched more than ObservationMaxAge ago: the
	// observer has not succeeded since (suspended, not scheduled, failing).
	Old bool `json:"old,omitempty"`
}

// ObservationMaxAge is three observer schedules (lifecycle.ObserverSchedule, every
// 10 minutes): an observation older than that is said to be old.
const ObservationMaxAge = 30 * time.Minute

// channelReads lists the launched channels with the model's and the record's side
// filled in, and, per party whose observers status reads, the cluster and the
// observation slots to fill.
func channelReads(network *model.Network) ([]Channel, []observerRead) {
	if network.Fabric == nil {
		return nil, nil
	}
	var channels []Channel
	reads := map[string]*observerRead{}
	for _, name := range network.Fabric.ChannelNames() {
		ch := network.Fabric.Channels[name]
		recorded, _, ok, err := fabric.OnChain(network, name)
		if !ok {
			continue
		}
		c := Channel{Channel: name, Observations: []ChannelObservation{}, RecordedFrom: "genesis"}
		if ch.OnChain != nil {
			c.RecordedFrom = "record"
		}
		if err != nil {
			c.Error = err.Error()
		}
		c.Recorded = ChannelConfig{Sequence: recorded.Sequence, Members: sorted(recorded.Members), Consenters: sorted(recorded.Consenters)}
		c.Desired = ChannelConfig{Sequence: recorded.Sequence, Members: sorted(ch.Members), Consenters: sorted(ch.Consenters)}
		c.Pending, c.Refused = plan.PendingChannelUpdate(network, name)
		for _, party := range c.Desired.Members {
			o := ChannelObservation{Party: party, State: ObservedUnreadable}
			cluster, ok := observerCluster(network, party)
			if !ok {
				o.State, o.Cause = ObservedNone, "the party runs no peer: nothing observes the channel for it"
				c.Observations = append(c.Observations, o)
				continue
			}
			o.Cluster = cluster
			if reads[party] == nil {
				reads[party] = &observerRead{party: party, cluster: cluster}
			}
			reads[party].slots = append(reads[party].slots, observationSlot{channel: len(channels), observation: len(c.Observations)})
			c.Observations = append(c.Observations, o)
		}
		channels = append(channels, c)
	}
	var out []observerRead
	for _, party := range network.PartyNames() {
		if r := reads[party]; r != nil {
			out = append(out, *r)
		}
	}
	return channels, out
}

// observerCluster is where the party's observers run: the cluster of its first peer
// by name (lifecycle renders them there).
func observerCluster(network *model.Network, party string) (string, bool) {
	for _, name := range network.NodeNames() {
		if n := network.Nodes[name]; n.Party == party && n.Role == model.RolePeer {
			return n.Cluster, true
		}
	}
	return "", false
}

func now(opts Options) time.Time {
	if opts.Now != nil {
		return opts.Now()
	}
	return time.Now()
}

func sorted(list []string) []string {
	out := slices.Clone(list)
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// observerRead is one party's observers to read, in one cluster, and where each
// channel's observation goes in the report.
type observerRead struct {
	party, cluster string
	slots          []observationSlot
}

type observationSlot struct{ channel, observation int }

// readObservers reads the party's observer pods and fills its observations; a
// cluster that cannot be read makes each of them unreadable, with the cause.
func readObservers(ctx context.Context, network *model.Network, channels []Channel, r observerRead, opts Options) {
	byChannel, err := observerPods(ctx, network, r, opts)
	for _, slot := range r.slots {
		c := &channels[slot.channel]
		o := &c.Observations[slot.observation]
		if err != nil {
			o.State, o.Cause = ObservedUnreadable, err.Error()
			continue
		}
		*o = observe(network, c.Channel, o.Party, o.Cluster, byChannel[lifecycle.ObserverChannelLabel(c.Channel)])
		if fetched, err := time.Parse(time.RFC3339, o.Fetched); err == nil && o.Config != nil {
			o.Old = now(opts).Sub(fetched) > ObservationMaxAge
		}
	}
}

// compare fills what the channel's observations, the model and the record say
// together: the config on chain, whether the observers disagree, and the notes.
func (c *Channel) compare() {
	var seen []ChannelObservation
	for _, o := range c.Observations {
		if o.Config != nil {
			seen = append(seen, o)
		}
	}
	if len(seen) == 0 {
		return
	}
	newest := slices.MaxFunc(seen, func(a, b ChannelObservation) int { return cmp.Compare(a.Config.Sequence, b.Config.Sequence) })
	c.OnChain = newest.Config
	var views []string
	for _, o := range seen {
		if !sameConfig(*o.Config, *newest.Config) {
			c.Disagree = true
		}
		views = append(views, fmt.Sprintf("%s sees sequence %d (%s)", o.Party, o.Config.Sequence, describeConfig(*o.Config)))
	}
	if c.Disagree {
		c.Notes = append(c.Notes, "observers disagree: "+strings.Join(views, "; "))
	}
	chain := *c.OnChain
	if d := difference("members", c.Desired.Members, chain.Members, chain.UnknownMembers); d != "" {
		c.Notes = append(c.Notes, "chain vs model: "+d)
	}
	if d := difference("consenters", c.Desired.Consenters, chain.Consenters, chain.UnknownConsenters); d != "" {
		c.Notes = append(c.Notes, "chain vs model: "+d)
	}
	switch {
	case chain.Sequence > c.Recorded.Sequence:
		c.Notes = append(c.Notes, fmt.Sprintf("the chain is at config sequence %d, the %s at %d: record it (flux-ledger channels record --channel %s --from <the config block>)",
			chain.Sequence, recordName(c.RecordedFrom), c.Recorded.Sequence, c.Channel))
	case chain.Sequence < c.Recorded.Sequence:
		c.Notes = append(c.Notes, fmt.Sprintf("the chain is at config sequence %d, behind the %s (%d): the observers may read a lagging orderer", chain.Sequence, recordName(c.RecordedFrom), c.Recorded.Sequence))
	case !sameConfig(ChannelConfig{Sequence: chain.Sequence, Members: c.Recorded.Members, Consenters: c.Recorded.Consenters}, chain):
		c.Notes = append(c.Notes, fmt.Sprintf("at config sequence %d the chain has %s, the %s %s", chain.Sequence, describeConfig(chain), recordName(c.RecordedFrom), describeConfig(c.Recorded)))
	}
	if p := c.Pending; p != nil && p.Sequence != chain.Sequence+1 && p.Sequence > chain.Sequence {
		c.Notes = append(c.Notes, fmt.Sprintf("the pending update brings the config to sequence %d, but the chain is at %d: it is stale once recorded again", p.Sequence, chain.Sequence))
	}
	if p := c.Pending; p != nil && p.Sequence <= chain.Sequence {
		c.Notes = append(c.Notes, fmt.Sprintf("the chain is at config sequence %d, at or past the pending update's (%s %s, sequence %d): record the channel before signing anything",
			chain.Sequence, p.Change, subjectOf(*p), p.Sequence))
	}
}

func recordName(from string) string {
	if from == "genesis" {
		return "genesis block (no record)"
	}
	return "record (cue/channels.cue)"
}

func subjectOf(u plan.ChannelUpdate) string {
	if u.Node != "" {
		return u.Node
	}
	return u.Party
}

func sameConfig(a, b ChannelConfig) bool {
	return a.Sequence == b.Sequence && slices.Equal(a.Members, b.Members) && slices.Equal(a.Consenters, b.Consenters) &&
		slices.Equal(a.UnknownMembers, b.UnknownMembers) && slices.Equal(a.UnknownConsenters, b.UnknownConsenters)
}

func describeConfig(c ChannelConfig) string {
	members := append(slices.Clone(c.Members), c.UnknownMembers...)
	consenters := append(slices.Clone(c.Consenters), c.UnknownConsenters...)
	return fmt.Sprintf("members %s; consenters %s", listOrNone(members), listOrNone(consenters))
}

func listOrNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// difference says what the model wants that the chain lacks, and what the chain has
// that the model does not want (unknown ones by their MSP ID or endpoint).
func difference(what string, desired, chain, unknown []string) string {
	var missing, extra []string
	for _, d := range desired {
		if !slices.Contains(chain, d) {
			missing = append(missing, d)
		}
	}
	for _, c := range chain {
		if !slices.Contains(desired, c) {
			extra = append(extra, c)
		}
	}
	extra = append(extra, unknown...)
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("%s not on chain yet: %s", what, strings.Join(missing, ", ")))
	}
	if len(extra) > 0 {
		parts = append(parts, fmt.Sprintf("%s on chain the model does not want: %s", what, strings.Join(extra, ", ")))
	}
	return strings.Join(parts, "; ")
}
