package plan

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// shareMeaning says, for every cluster whose monitoring share is added, changed or
// removed, which series of which party leave for whom: the one thing in a monitoring
// change another organisation receives, and what the party's reviewers agree to.
func (p *Plan) shareMeaning(base, head *model.Network) {
	say := func(format string, args ...any) {
		p.Consequences = append(p.Consequences, fmt.Sprintf(format, args...))
	}
	names := slices.Sorted(slices.Values(append(base.ClusterNames(), head.ClusterNames()...)))
	for _, name := range slices.Compact(names) {
		was, now := base.Clusters[name].Monitoring.Share, head.Clusters[name].Monitoring.Share
		if reflect.DeepEqual(was, now) {
			continue
		}
		party := head.Clusters[name].Party
		if now == nil {
			party = base.Clusters[name].Party
			say("party %s stops sharing series from cluster %s with %s", party, name, strings.Join(was.With, ", "))
			continue
		}
		series := slices.Sorted(slices.Values(now.Series))
		line := fmt.Sprintf("party %s shares these series with %s: %s (from cluster %s, to %s)",
			party, strings.Join(now.With, ", "), strings.Join(series, ", "), name, now.URL)
		if was != nil {
			var changes []string
			if a, r := setDiff(was.Series, now.Series); len(a)+len(r) > 0 {
				changes = append(changes, "series "+addedRemoved(a, r))
			}
			if a, r := setDiff(was.With, now.With); len(a)+len(r) > 0 {
				changes = append(changes, "parties "+addedRemoved(a, r))
			}
			if was.URL != now.URL {
				changes = append(changes, "endpoint was "+was.URL)
			}
			if len(changes) > 0 {
				line += "; " + strings.Join(changes, "; ")
			}
		}
		say("%s", line)
	}
}
