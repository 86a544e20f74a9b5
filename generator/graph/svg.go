package graph

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Layout of the SVG picture: parties as cards in a grid, row by row in name order;
// each card holds its clusters, each cluster its exposure (where peers dial it) and
// its nodes (or, summarised, its role counts). Every cluster's exposure hangs from a
// party trunk on the card's left edge, and every trunk from the p2p bus above its
// row: the bus stands for the full mesh, every node dialling every other.
const (
	margin      = 24
	headerH     = 104
	gap         = 20 // between cards
	busGap      = 16 // from a row's bus to its cards
	partyH      = 34 // party band
	clusterHead = 38 // cluster name and where
	chipH       = 20 // exposure chip
	nodeH       = 24 // one node row
	roleH       = 18 // one role-count line
	pad         = 8
)

// SVG writes the picture as a standalone SVG document.
func (g *Graph) SVG(w io.Writer) error {
	cardW, cols := 360, 4
	if g.Summary {
		cardW, cols = 250, 10
	}
	cols = max(1, min(cols, len(g.Parties)))
	var items []any
	y := margin + headerH
	width := margin*2 + 12 + cols*cardW + (cols-1)*gap
	spineX := margin + 4
	firstBus, lastBus := 0, 0
	for row := 0; row*cols < len(g.Parties); row++ {
		parties := g.Parties[row*cols : min(len(g.Parties), (row+1)*cols)]
		busY := y
		if row == 0 {
			firstBus = busY
		}
		lastBus = busY
		y += busGap
		rowH := 0
		for _, p := range parties {
			rowH = max(rowH, g.cardHeight(p))
		}
		right := spineX
		for i, p := range parties {
			x := margin + 12 + i*(cardW+gap)
			card, trunk := g.card(p, x, y, cardW, rowH, busY)
			items = append(items, card, trunk)
			right = x + 8
		}
		items = append(items, svgLine{Class: "bus", X1: spineX, Y1: busY, X2: right, Y2: busY, Stroke: colBus, StrokeWidth: 3})
		y += rowH + gap
	}
	if len(g.Parties) > 0 {
		items = append([]any{svgLine{Class: "bus", X1: spineX, Y1: firstBus, X2: spineX, Y2: lastBus, Stroke: colBus, StrokeWidth: 3}}, items...)
	}
	if g.Omitted > 0 {
		items = append(items, text(margin, y+12, 13, colMuted, g.omittedLabel()))
		y += 24
	}
	regions, regionsH := g.regions(margin, y+8)
	items = append(items, regions)
	y += 8 + regionsH
	if len(g.Channels) > 0 {
		channels, channelsH := g.channelList(margin, y+8, width-2*margin)
		items = append(items, channels)
		y += 8 + channelsH
	}
	height := y + margin
	items = append(g.header(width, height), items...)
	doc := svgRoot{
		Xmlns: "http://www.w3.org/2000/svg", Width: width, Height: height,
		ViewBox: fmt.Sprintf("0 0 %d %d", width, height),
		Font:    "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif",
		Role:    "img", Label: g.title(), Title: g.title(), Items: items,
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func (g *Graph) header(width, height int) []any {
	items := []any{
		svgRect{X: 0, Y: 0, Width: width, Height: height, Fill: "#ffffff"},
		bold(text(margin, margin+16, 18, colText, g.title())),
		text(margin, margin+38, 12, colMuted, g.meshNote()),
	}
	x := margin
	legend := func(fill, stroke, label string, dashed bool) {
		r := svgRect{X: x, Y: margin + 52, Width: 14, Height: 14, RX: 3, Fill: fill, Stroke: stroke, StrokeWidth: 1}
		if dashed {
			r.Dash = "4 3"
		}
		items = append(items, r, text(x+20, margin+63, 12, colText, label))
		x += 40 + utf8.RuneCountInString(label)*7
	}
	bus := "p2p bus (full mesh)"
	if g.isFabric() {
		legend(roleFill["orderer"], colMuted, "orderer", false)
		legend(roleFill["peer"], colMuted, "peer", false)
		bus = "p2p bus"
	} else {
		legend(roleFill["validator"], "#9a6700", validatorMark+" validator", false)
		legend(roleFill["member"], colMuted, "member", false)
		legend(roleFill["rpc"], colMuted, "rpc", false)
	}
	legend("#ffffff", colBorder, "exposure: where peers dial", true)
	items = append(items, svgLine{X1: x, Y1: margin + 59, X2: x + 24, Y2: margin + 59, Stroke: colBus, StrokeWidth: 3})
	items = append(items, text(x+30, margin+63, 12, colText, bus))
	x += 30 + utf8.RuneCountInString(bus)*7 + 14
	if g.hasChanges() {
		for _, c := range []string{Added, Changed, Removed} {
			legend(changeFill[c], changeLine[c], c, c == Removed)
		}
	}
	if g.Summary {
		items = append(items, text(margin, margin+88, 12, colMuted,
			fmt.Sprintf("Summarised: more than %d nodes, so each cluster shows its nodes by role.", NodeDetailLimit)))
	}
	return items
}

func (g *Graph) hasChanges() bool {
	for _, p := range g.Parties {
		if p.Change != "" {
			return true
		}
		for _, c := range p.Clusters {
			if c.Change != "" {
				return true
			}
			for _, n := range c.Nodes {
				if n.Change != "" {
					return true
				}
			}
		}
	}
	return false
}

func (g *Graph) clusterHeight(c Cluster) int {
	h := clusterHead + chipH + pad
	if g.Summary {
		h += (max(1, len(c.Roles)) + len(nodeMarks(c))) * roleH
	} else {
		h += len(c.Nodes) * nodeH
	}
	return h + pad
}

func (g *Graph) cardHeight(p Party) int {
	h := partyH
	for _, c := range p.Clusters {
		h += g.clusterHeight(c) + pad
	}
	return h + pad
}

// card draws one party and the trunk joining its clusters' exposures to the bus.
func (g *Graph) card(p Party, x, y, w, h, busY int) (card, trunk svgGroup) {
	fill, stroke, width, dash := colCard, colBorder, 1, ""
	if p.Change != "" {
		fill, stroke, width = changeFill[p.Change], changeLine[p.Change], 3
		if p.Change == Removed {
			dash = "6 4"
		}
	}
	card = svgGroup{Class: "party", Party: p.Name, Change: p.Change, Title: changed(partyLabel(p), p.Change), Items: []any{
		svgRect{Class: "party-box", X: x, Y: y, Width: w, Height: h, RX: 8, Fill: fill, Stroke: stroke, StrokeWidth: width, Dash: dash},
		bold(text(x+18, y+22, 14, colText, fit(changed(partyLabel(p), p.Change), w-30, 14))),
	}}
	trunk = svgGroup{Class: "trunk", Party: p.Name}
	cy := y + partyH
	lastChip := busY
	for _, c := range p.Clusters {
		group, chipY := g.cluster(c, x+20, cy, w-28)
		card.Items = append(card.Items, group)
		trunk.Items = append(trunk.Items, svgLine{X1: x + 8, Y1: chipY, X2: x + 28, Y2: chipY, Stroke: colBus, StrokeWidth: 2})
		lastChip = chipY
		cy += g.clusterHeight(c) + pad
	}
	trunk.Items = append([]any{svgLine{X1: x + 8, Y1: busY, X2: x + 8, Y2: lastChip, Stroke: colBus, StrokeWidth: 2}}, trunk.Items...)
	return card, trunk
}

// cluster draws one cluster; chipY is the middle of its exposure chip.
func (g *Graph) cluster(c Cluster, x, y, w int) (group svgGroup, chipY int) {
	fill, stroke, width, dash := "#ffffff", colBorder, 1, ""
	if c.Change != "" {
		fill, stroke, width = changeFill[c.Change], changeLine[c.Change], 3
		if c.Change == Removed {
			dash = "6 4"
		}
	}
	group = svgGroup{Class: "cluster", Cluster: c.Name, Party: c.Party, Change: c.Change,
		Title: fmt.Sprintf("%s\n%s\n%s", changed(c.Name, c.Change), where(c), exposureLabel(c)), Items: []any{
			svgRect{Class: "cluster-box", X: x, Y: y, Width: w, Height: g.clusterHeight(c), RX: 6, Fill: fill, Stroke: stroke, StrokeWidth: width, Dash: dash},
			bold(text(x+10, y+17, 12, colText, fit(changed(c.Name, c.Change), w-20, 12))),
			text(x+10, y+32, 11, colMuted, fit(where(c), w-20, 11)),
		}}
	cy := y + clusterHead
	group.Items = append(group.Items,
		svgRect{Class: "chip", X: x + 8, Y: cy, Width: w - 16, Height: chipH - 2, RX: 9, Fill: "#ffffff", Stroke: colBorder, StrokeWidth: 1, Dash: "4 3"},
		text(x+16, cy+13, 10, colText, fitKeepingPort("⇄ "+exposureLabel(c), w-32, 10)))
	chipY = cy + (chipH-2)/2
	cy += chipH + pad
	if g.Summary {
		for _, r := range c.Roles {
			group.Items = append(group.Items,
				svgRect{X: x + 10, Y: cy + 3, Width: 11, Height: 11, RX: 2, Fill: orDefault(roleFill[r.Role], colCard), Stroke: colMuted, StrokeWidth: 1},
				text(x+28, cy+13, 12, colText, rolePlural(r)))
			cy += roleH
		}
		// Summarised, a node a change adds, changes or removes is named under the
		// counts, with its mark's colours: the counts alone would hide it.
		for _, m := range nodeMarks(c) {
			r := svgRect{X: x + 10, Y: cy + 3, Width: 11, Height: 11, RX: 2, Fill: changeFill[m.mark], Stroke: changeLine[m.mark], StrokeWidth: 2}
			if m.mark == Removed {
				r.Dash = "4 2"
			}
			group.Items = append(group.Items, r, text(x+28, cy+13, 12, colText, fit(m.line, w-38, 12)))
			cy += roleH
		}
		return group, chipY
	}
	for _, n := range c.Nodes {
		group.Items = append(group.Items, nodeBox(n, x+8, cy, w-16))
		cy += nodeH
	}
	return group, chipY
}

func nodeBox(n Node, x, y, w int) svgGroup {
	fill, stroke, width, dash := orDefault(roleFill[n.Role], colCard), colMuted, 1, ""
	if n.Validator {
		stroke, width = "#9a6700", 2
	}
	if n.Change != "" {
		fill, stroke, width = changeFill[n.Change], changeLine[n.Change], 2
		if n.Change == Removed {
			dash = "5 3"
		}
	}
	label := changed(nodeLabel(n), n.Change)
	return svgGroup{Class: "node", Node: n.Name, Role: n.Role, Change: n.Change,
		Title: fmt.Sprintf("%s\n%s\n%s", label, n.Role, n.Endpoint), Items: []any{
			svgRect{Class: "node-box", X: x, Y: y, Width: w, Height: nodeH - 4, RX: 10, Fill: fill, Stroke: stroke, StrokeWidth: width, Dash: dash},
			text(x+10, y+14, 11, colText, fit(label, w-70, 11)),
			svgText{X: x + w - 10, Y: y + 14, Size: 10, Fill: colMuted, Anchor: "end", Text: n.Role},
		}}
}

// regions groups the clusters by provider and region: how many clusters, nodes and
// validators each holds.
func (g *Graph) regions(x, y int) (svgGroup, int) {
	type tally struct{ clusters, nodes, validators int }
	byWhere := map[string]*tally{}
	for _, c := range g.Clusters() {
		t := byWhere[where(c)]
		if t == nil {
			t = &tally{}
			byWhere[where(c)] = t
		}
		t.clusters++
		for _, n := range c.Nodes {
			t.nodes++
			if n.Validator {
				t.validators++
			}
		}
	}
	keys := make([]string, 0, len(byWhere))
	for k := range byWhere {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	group := svgGroup{Class: "regions", Items: []any{bold(text(x, y+14, 13, colText, "By provider and region"))}}
	for i, k := range keys {
		t := byWhere[k]
		line := fmt.Sprintf("%s: %s, %s, %s", k, plural(t.clusters, "cluster", "clusters"), plural(t.nodes, "node", "nodes"), plural(t.validators, "validator", "validators"))
		if g.isFabric() {
			line = fmt.Sprintf("%s: %s, %s", k, plural(t.clusters, "cluster", "clusters"), plural(t.nodes, "node", "nodes"))
		}
		group.Items = append(group.Items, text(x, y+34+i*18, 12, colText, line))
	}
	return group, 24 + len(keys)*18
}

// channelList names each Fabric channel's consenters, members and chaincodes (the
// cards show the nodes; this says which of them order and join each channel).
func (g *Graph) channelList(x, y, w int) (svgGroup, int) {
	group := svgGroup{Class: "channels", Items: []any{bold(text(x, y+14, 13, colText, "Channels"))}}
	cy := y + 34
	for _, ch := range g.Channels {
		lines := []string{
			"consenters: " + strings.Join(ch.Consenters, ", "),
			"members: " + strings.Join(ch.Members, ", "),
		}
		if len(ch.Chaincodes) > 0 {
			lines = append(lines, "chaincodes: "+strings.Join(ch.Chaincodes, ", "))
		}
		item := svgGroup{Class: "channel", Channel: ch.Name, Title: strings.Join(append([]string{"channel " + ch.Name}, lines...), "\n"),
			Items: []any{bold(text(x, cy, 12, colText, "channel "+ch.Name))}}
		for _, line := range lines {
			cy += 18
			item.Items = append(item.Items, text(x+16, cy, 12, colText, fit(line, w-16, 12)))
		}
		group.Items = append(group.Items, item)
		cy += 24
	}
	return group, cy - y - 6
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
