package status

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Table writes the report for a terminal: one line per cluster, then the details of
// every Kustomization that is not Ready.
func (r *Report) Table(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLUSTER\tPARTY\tSTATE\tREVISION\tBEHIND\tNODES\tPOLICIES\tMESSAGE")
	for _, c := range r.Clusters {
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
		if c.State != StateUnreachable {
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
		if len(message) > 120 {
			message = message[:117] + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Cluster, c.Party, c.State, revision, behind, nodes, policies, message)
	}
	return tw.Flush()
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
