package status

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/terminal"
)

// Width is the most columns a line of Table takes: a laptop terminal at a readable
// font size, and a 40-party network keeps to it.
const Width = 160

// Table writes the report for a terminal: one line per cluster, then the details of
// every Kustomization that is not Ready. Text another cluster wrote is escaped
// (terminal.Printable): it cannot forge a row or send the terminal a control sequence.
func (r *Report) Table(w io.Writer) error {
	if line := r.summary(); line != "" {
		fmt.Fprintf(w, "%s\n\n", line)
	}
	sorted := problemsFirst(r.Clusters)
	messages := make([]string, len(sorted))
	clipped, err := table(w, func(tw io.Writer) {
		fmt.Fprintln(tw, "CLUSTER\tPARTY\tSTATE\tREVISION\tBEHIND\tNODES\tPOLICIES\tMESSAGE")
		for i, c := range sorted {
			revision, behind := "-", "-"
			message := c.Error
			for _, k := range c.Kustomizations {
				if k.Name == "ledger" {
					revision = shortRevision(k.Revision)
					if k.Behind >= 0 {
						behind = fmt.Sprint(k.Behind)
					}
				}
				if k.State != StateReady && message == "" {
					message = fmt.Sprintf("%s %s: %s", k.Name, k.Reason, k.Message)
				}
			}
			nodes := "-"
			if c.State != StateUnreachable && c.State != StateNotConfigured {
				ready := 0
				for _, n := range c.Nodes {
					if n.Ready >= n.Want {
						ready++
					}
				}
				nodes = fmt.Sprintf("%d/%d", ready, len(c.Nodes))
			}
			policies := "-"
			if c.Policies != nil {
				policies = fmt.Sprintf("%d pass, %d fail", c.Policies.Pass, c.Policies.Fail)
			}
			messages[i] = terminal.Printable(message)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Cluster, c.Party, c.State, terminal.Printable(revision), behind, nodes, policies, messages[i])
		}
	})
	if err != nil {
		return err
	}
	var full causes
	for i, c := range sorted {
		full.row(c.Cluster, messages[i])
	}
	full.write(w, clipped)
	legend(w, r.Clusters)
	if err := r.validatorsTable(w); err != nil {
		return err
	}
	if err := r.ledgerTable(w); err != nil {
		return err
	}
	if err := r.peerLedgerTable(w); err != nil {
		return err
	}
	return r.channelsTable(w)
}

// peerLedgerTable writes the Fabric ledger's health, one line per peer and channel,
// problems first: its height, how many blocks it is behind the highest peer of any
// party on the channel, or why there is no reading (not shared, unreadable, no
// ledger of a channel its party is a member of).
func (r *Report) peerLedgerTable(w io.Writer) error {
	if len(r.PeerLedgers) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	var full causes
	clipped, err := table(w, func(tw io.Writer) {
		fmt.Fprintln(tw, "LEDGER\tPEER\tCLUSTER\tCHANNEL\tHEIGHT\tBEHIND\tMESSAGE")
		for _, l := range peerLedgersProblemsFirst(r.PeerLedgers) {
			if l.State != LedgerRead {
				full.row(l.Peer, terminal.Printable(l.Cause))
				fmt.Fprintf(tw, "%s\t%s\t%s\t-\t-\t-\t%s\n", l.Party, l.Peer, l.Cluster, terminal.Printable(l.Cause))
				continue
			}
			if len(l.Channels) == 0 {
				full.row("", "")
				fmt.Fprintf(tw, "%s\t%s\t%s\t-\t-\t-\tno ledger of a channel of the model\n", l.Party, l.Peer, l.Cluster)
			}
			channels := slices.Clone(l.Channels)
			slices.SortStableFunc(channels, func(a, b ChannelHeight) int {
				if a.Missing != b.Missing {
					if a.Missing {
						return -1
					}
					return 1
				}
				return cmp.Compare(b.Behind, a.Behind)
			})
			for _, c := range channels {
				full.row("", "")
				if c.Missing {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t-\t-\tno ledger of the channel: the peer has not joined it\n", l.Party, l.Peer, l.Cluster, c.Channel)
					continue
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t\n", l.Party, l.Peer, l.Cluster, c.Channel, c.Height, c.Behind)
			}
		}
	})
	if err != nil {
		return err
	}
	full.write(w, clipped)
	return nil
}

// ledgerTable writes the ledger's health as each party's RPC node sees it: its latest
// block, how far it is behind the highest any party reads, when that block was made
// and how many peers the node has.
func (r *Report) ledgerTable(w io.Writer) error {
	var top uint64
	read := 0
	for _, v := range r.Validators {
		if v.Error == "" {
			top = max(top, v.Block)
			read++
		}
	}
	if read == 0 {
		return nil
	}
	fmt.Fprintln(w)
	_, err := table(w, func(tw io.Writer) {
		fmt.Fprintln(tw, "LEDGER\tRPC NODE\tBLOCK\tBEHIND\tBLOCK MADE (UTC)\tPEERS")
		for _, v := range r.Validators {
			if v.Error != "" {
				continue
			}
			made := v.BlockTime
			if made == "" {
				made = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%d\n", v.Party, v.Node, v.Block, top-v.Block, terminal.Printable(made), v.Peers)
		}
	})
	return err
}

// severity orders the cluster states, worst first.
var severity = []string{StateNotConfigured, StateUnreachable, StateFailed, "Stalled", StateSuspended, StateReconciling, StateBehind, StateReady}

// problemsFirst sorts clusters worst state first, then by name, so the lines that
// need someone lead even at 40 parties.
func problemsFirst(clusters []Cluster) []Cluster {
	sorted := slices.Clone(clusters)
	slices.SortStableFunc(sorted, func(a, b Cluster) int {
		if d := indexOf(severity, a.State) - indexOf(severity, b.State); d != 0 {
			return d
		}
		return strings.Compare(a.Cluster, b.Cluster)
	})
	return sorted
}

// stateMeaning is the legend of the cluster states.
var stateMeaning = map[string]string{
	StateReady:         "applied HEAD, nodes ready",
	StateBehind:        "applied an older commit than HEAD",
	StateReconciling:   "applying, or nodes not ready yet",
	StateSuspended:     "a Kustomization is suspended",
	StateFailed:        "Flux failed to apply, or a policy failed: see MESSAGE",
	StateUnreachable:   "no answer or refused: see MESSAGE",
	StateNotConfigured: "no kubeconfig or kube context for it: see MESSAGE",
}

// legend writes one line saying what each state in the table means.
func legend(w io.Writer, clusters []Cluster) {
	var parts []string
	for _, state := range slices.Backward(severity) {
		if meaning, ok := stateMeaning[state]; ok && slices.ContainsFunc(clusters, func(c Cluster) bool { return c.State == state }) {
			parts = append(parts, state+": "+meaning)
		}
	}
	if len(parts) > 0 {
		fmt.Fprintln(w)
		wrapParts(w, parts, "; ")
	}
}

// summary is the report's first line: how many parties are in each state, a party
// being in the worst state of its clusters, so that 40 parties read at a glance.
func (r *Report) summary() string {
	if len(r.Clusters) == 0 {
		return ""
	}
	worst := map[string]string{}
	for _, c := range r.Clusters {
		if s, ok := worst[c.Party]; !ok || indexOf(severity, c.State) < indexOf(severity, s) {
			worst[c.Party] = c.State
		}
	}
	count := map[string]int{}
	for _, s := range worst {
		count[s]++
	}
	var parts []string
	for _, state := range slices.Backward(severity) {
		if count[state] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", count[state], state))
		}
	}
	for state, n := range count {
		if !slices.Contains(severity, state) {
			parts = append(parts, fmt.Sprintf("%d %s", n, terminal.Printable(state)))
		}
	}
	return fmt.Sprintf("%s (%s): %s", plural(len(worst), "party", "parties"), plural(len(r.Clusters), "cluster", "clusters"), strings.Join(parts, ", "))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// validatorsTable writes, after the clusters, one line per party that has an RPC
// node (the validator set it reads), then one line per change on its way.
func (r *Report) validatorsTable(w io.Writer) error {
	if len(r.Validators) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	var full causes
	clipped, err := table(w, func(tw io.Writer) {
		fmt.Fprintln(tw, "VALIDATORS\tRPC NODE\tBLOCK\tON CHAIN\tDESIRED\tPENDING\tVOTES READ\tPROPOSED\tMESSAGE")
		for _, v := range r.Validators {
			if v.Error != "" {
				full.row(v.Node, terminal.Printable(v.Error))
				fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\t-\t-\t%s\n", v.Party, v.Node, terminal.Printable(v.Error))
				continue
			}
			read := fmt.Sprintf("blocks %d-%d", v.VotesFrom, v.Block)
			if v.VotesFrom > v.Block {
				read = "none (epoch block)"
			}
			partial := ""
			if v.VotesPartial {
				partial = fmt.Sprintf("votes of blocks %d-%d (this epoch) not read", v.EpochStart+1, v.VotesFrom-1)
			}
			message := terminal.Printable(joinNotes(partial, v.Proposals.note()))
			full.row(v.Node, message)
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", v.Party, v.Node, v.Block, len(v.OnChain), len(v.Desired), len(v.Pending), read, v.Proposals.proposedCell(), message)
		}
	})
	if err != nil {
		return err
	}
	full.write(w, clipped)
	// A change reads the same from every party whose node sees the same votes: at 40
	// parties it is written once, after the parties that see it so.
	var lines []string
	seenBy := map[string][]string{}
	for _, v := range r.Validators {
		for _, c := range v.Pending {
			line := describe(c, true)
			if seenBy[line] == nil {
				lines = append(lines, line)
			}
			seenBy[line] = append(seenBy[line], v.Party)
		}
		for _, c := range v.Unwanted {
			line := "unwanted: " + describe(c, false)
			if seenBy[line] == nil {
				lines = append(lines, line)
			}
			seenBy[line] = append(seenBy[line], v.Party)
		}
		if v.Error != "" || v.Proposals == nil {
			continue
		}
		for _, q := range v.Proposals.Validators {
			if !q.Silent {
				continue
			}
			line := terminal.Printable(silentLine(q, len(v.Proposals.Validators)))
			if seenBy[line] == nil {
				lines = append(lines, line)
			}
			seenBy[line] = append(seenBy[line], v.Party)
		}
	}
	for _, line := range lines {
		wrap(w, "  ", strings.Join(seenBy[line], ", ")+": "+line)
	}
	return nil
}

// describe says in one line how a change's vote stands.
func describe(c Change, waiting bool) string {
	verb := "remove"
	if c.Add {
		verb = "add"
	}
	who := c.Address
	if c.Node != "" {
		who = fmt.Sprintf("%s (%s)", c.Node, c.Address)
	}
	out := fmt.Sprintf("%s %s: %d of %d votes", verb, who, c.Votes, c.Needed)
	if c.PassedAt > 0 {
		return fmt.Sprintf("%s %s: passed in block %d, in effect from block %d", verb, who, c.PassedAt, c.PassedAt+1)
	}
	if waiting && len(c.NotVoted) > 0 {
		var parties []string
		for _, party := range slices.Sorted(maps.Keys(c.NotVoted)) {
			parties = append(parties, fmt.Sprintf("%s (%s)", party, strings.Join(c.NotVoted[party], ", ")))
		}
		out += "; not voted yet: " + strings.Join(parties, ", ")
	}
	return out
}

// JSON writes the report.
func (r *Report) JSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func shortRevision(r string) string {
	if branch, sha, ok := strings.Cut(r, "@sha1:"); ok && len(sha) > 12 {
		return branch + "@sha1:" + sha[:12]
	}
	if r == "" {
		return "-"
	}
	return r
}
