package status

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/flux-ledger/flux-ledger/generator/terminal"
)

// Table writes the report for a terminal: one line per cluster, then the details of
// every Kustomization that is not Ready. Text another cluster wrote is escaped
// (terminal.Printable): it cannot forge a row or send the terminal a control sequence.
func (r *Report) Table(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLUSTER\tPARTY\tSTATE\tREVISION\tBEHIND\tNODES\tPOLICIES\tMESSAGE")
	for _, c := range problemsFirst(r.Clusters) {
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Cluster, c.Party, c.State, terminal.Printable(revision), behind, nodes, policies, terminal.Clip(terminal.Printable(message), 120))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
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
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LEDGER\tPEER\tCLUSTER\tCHANNEL\tHEIGHT\tBEHIND\tMESSAGE")
	for _, l := range peerLedgersProblemsFirst(r.PeerLedgers) {
		if l.State != LedgerRead {
			fmt.Fprintf(tw, "%s\t%s\t%s\t-\t-\t-\t%s\n", l.Party, l.Peer, l.Cluster, terminal.Clip(terminal.Printable(l.Cause), 120))
			continue
		}
		if len(l.Channels) == 0 {
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
			if c.Missing {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t-\t-\tno ledger of the channel: the peer has not joined it\n", l.Party, l.Peer, l.Cluster, c.Channel)
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t\n", l.Party, l.Peer, l.Cluster, c.Channel, c.Height, c.Behind)
		}
	}
	return tw.Flush()
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
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LEDGER\tRPC NODE\tBLOCK\tBEHIND\tBLOCK MADE (UTC)\tPEERS")
	for _, v := range r.Validators {
		if v.Error != "" {
			continue
		}
		made := v.BlockTime
		if made == "" {
			made = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%d\n", v.Party, v.Node, v.Block, top-v.Block, made, v.Peers)
	}
	return tw.Flush()
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
		fmt.Fprintf(w, "\n%s\n", strings.Join(parts, "; "))
	}
}

// validatorsTable writes, after the clusters, one line per party that has an RPC
// node (the validator set it reads), then one line per change on its way.
func (r *Report) validatorsTable(w io.Writer) error {
	if len(r.Validators) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VALIDATORS\tRPC NODE\tBLOCK\tON CHAIN\tDESIRED\tPENDING\tVOTES READ\tMESSAGE")
	for _, v := range r.Validators {
		if v.Error != "" {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\t-\t%s\n", v.Party, v.Node, terminal.Clip(terminal.Printable(v.Error), 120))
			continue
		}
		read := fmt.Sprintf("blocks %d-%d", v.VotesFrom, v.Block)
		if v.VotesFrom > v.Block {
			read = "none (epoch block)"
		}
		message := ""
		if v.VotesPartial {
			message = fmt.Sprintf("votes of blocks %d-%d (this epoch) not read", v.EpochStart+1, v.VotesFrom-1)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\n", v.Party, v.Node, v.Block, len(v.OnChain), len(v.Desired), len(v.Pending), read, message)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, v := range r.Validators {
		for _, c := range v.Pending {
			fmt.Fprintf(w, "  %s: %s\n", v.Party, describe(c, true))
		}
		for _, c := range v.Unwanted {
			fmt.Fprintf(w, "  %s: unwanted: %s\n", v.Party, describe(c, false))
		}
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
