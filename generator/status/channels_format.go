package status

import (
	"fmt"
	"io"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/terminal"
)

// channelsTable writes, after the clusters, one line per launched Fabric channel
// (its config sequence on chain and in the record, its members and consenters on
// chain against the model's, its pending update), then the details: each member
// party's observation, where chain, model and record differ, and whose signatures
// the pending update still needs. Everything a cluster wrote is escaped.
func (r *Report) channelsTable(w io.Writer) error {
	if len(r.Channels) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	_, err := table(w, func(tw io.Writer) {
		fmt.Fprintln(tw, "CHANNEL\tON CHAIN\tRECORDED\tMEMBERS\tCONSENTERS\tPENDING")
		for _, c := range r.Channels {
			onChain, members, consenters := "-", "-", "-"
			if c.OnChain != nil {
				onChain = fmt.Sprint(c.OnChain.Sequence)
				if c.Disagree {
					onChain += " (observers disagree)"
				}
				members = fmt.Sprintf("%d of %d", overlap(c.OnChain.Members, c.Desired.Members), len(c.Desired.Members))
				consenters = fmt.Sprintf("%d of %d", overlap(c.OnChain.Consenters, c.Desired.Consenters), len(c.Desired.Consenters))
				if extra := len(c.OnChain.Members) - overlap(c.OnChain.Members, c.Desired.Members) + len(c.OnChain.UnknownMembers); extra > 0 {
					members += fmt.Sprintf(" +%d", extra)
				}
				if extra := len(c.OnChain.Consenters) - overlap(c.OnChain.Consenters, c.Desired.Consenters) + len(c.OnChain.UnknownConsenters); extra > 0 {
					consenters += fmt.Sprintf(" +%d", extra)
				}
			}
			recorded := fmt.Sprintf("%d (%s)", c.Recorded.Sequence, c.RecordedFrom)
			pending := "none"
			switch {
			case c.Pending != nil:
				pending = fmt.Sprintf("%s %s -> sequence %d", c.Pending.Change, subjectOf(*c.Pending), c.Pending.Sequence)
			case len(c.Refused) > 0:
				pending = "refused by plan"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Channel, onChain, recorded, members, consenters, pending)
		}
	})
	if err != nil {
		return err
	}
	for _, c := range r.Channels {
		for _, line := range c.detailLines() {
			wrap(w, "  "+c.Channel+": ", terminal.Printable(line))
		}
	}
	return nil
}

// detailLines are a channel's observations, notes and pending signatures, one line
// each, unescaped.
func (c Channel) detailLines() []string {
	var lines []string
	if c.Error != "" {
		lines = append(lines, "error: "+c.Error)
	}
	// Parties whose observers read the same config on their last run share one line,
	// as on the dashboard: a channel of 40 members stays a few lines long.
	configOf := func(o ChannelObservation) string {
		if o.Config == nil || o.Old || o.LastRunFailed != "" {
			return ""
		}
		return fmt.Sprintf("sequence %d, %s", o.Config.Sequence, describeConfig(*o.Config))
	}
	alike := map[string][]ChannelObservation{}
	var configs []string
	for _, o := range c.Observations {
		config := configOf(o)
		if config == "" {
			continue
		}
		if alike[config] == nil {
			configs = append(configs, config)
		}
		alike[config] = append(alike[config], o)
	}
	for _, config := range configs {
		if len(alike[config]) < 2 {
			continue
		}
		var read []string
		for _, o := range alike[config] {
			read = append(read, o.Party+" at "+o.Fetched)
		}
		lines = append(lines, fmt.Sprintf("%d parties read %s: %s", len(alike[config]), config, strings.Join(read, ", ")))
	}
	for _, o := range c.Observations {
		if len(alike[configOf(o)]) < 2 {
			lines = append(lines, o.describe())
		}
	}
	lines = append(lines, c.Notes...)
	if p := c.Pending; p != nil {
		for _, s := range p.Signatures {
			lines = append(lines, fmt.Sprintf("pending %s (%s %s, %s, to config sequence %d): %s (%s), %d of %s: %s",
				p.Envelope, p.Change, subjectOf(*p), p.Organisation, p.Sequence, s.Policy, s.Rule, s.Required, strings.Join(s.Of, ", "), s.Progress()))
		}
		for _, r := range p.Recorded {
			lines = append(lines, fmt.Sprintf("signature %s of party %s is %s: %s", r.File, r.Party, r.State, r.Reason))
		}
	}
	for _, r := range c.Refused {
		lines = append(lines, "plan refuses: "+r)
	}
	return lines
}

// describe says in one line what a party's observer read, or why there is nothing.
func (o ChannelObservation) describe() string {
	where := o.Party
	if o.Cluster != "" {
		where += " (" + o.Cluster + ")"
	}
	if o.Config == nil {
		return where + ": " + o.Cause
	}
	out := fmt.Sprintf("%s: sequence %d, %s, read %s", where, o.Config.Sequence, describeConfig(*o.Config), o.Fetched)
	if o.Old {
		out += fmt.Sprintf(" (over %s ago: the observer has not succeeded since)", strings.TrimSuffix(ObservationMaxAge.String(), "0s"))
	}
	if o.LastRunFailed != "" {
		out += "; the last run failed: " + o.LastRunFailed
	}
	return out
}

func overlap(a, b []string) int {
	n := 0
	for _, x := range a {
		for _, y := range b {
			if x == y {
				n++
				break
			}
		}
	}
	return n
}
