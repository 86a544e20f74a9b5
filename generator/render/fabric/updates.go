package fabric

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/configtx"
)

// UpdatesDir holds every channel's pending config update: channels/<channel>/updates/.
const UpdatesDir = "channels"

// OnChain is what a launched channel's config holds: the record (cue/channels.cue)
// when there is one, else the frozen genesis block's config at sequence 0. ok is
// false for a channel not launched.
func OnChain(network *model.Network, channel string) (state model.ChannelOnChain, config *configtx.Config, ok bool, err error) {
	ch := network.Fabric.Channels[channel]
	if ch.GenesisBlock == "" {
		return state, nil, false, nil
	}
	if ch.OnChain != nil {
		raw, err := base64.StdEncoding.DecodeString(ch.OnChain.Config)
		if err != nil {
			return state, nil, true, fmt.Errorf("channel %s: onChain.config: %w", channel, err)
		}
		config, err := configtx.DecodeConfig(raw)
		if err != nil {
			return state, nil, true, fmt.Errorf("channel %s: onChain.config: %w", channel, err)
		}
		return *ch.OnChain, config, true, nil
	}
	block, err := base64.StdEncoding.DecodeString(ch.GenesisBlock)
	if err != nil {
		return state, nil, true, fmt.Errorf("channel %s: genesisBlock: %w", channel, err)
	}
	_, config, err = configtx.DecodeConfigBlock(block)
	if err != nil {
		return state, nil, true, fmt.Errorf("channel %s: genesisBlock: %w", channel, err)
	}
	state, err = StateOf(network, channel, config)
	return state, config, true, err
}

// StateOf reads what a config says in the model's terms: its application orgs as
// parties (by MSP ID) and its consenters as orderer nodes (by endpoint).
func StateOf(network *model.Network, channel string, config *configtx.Config) (model.ChannelOnChain, error) {
	state := model.ChannelOnChain{Sequence: config.Sequence, Config: base64.StdEncoding.EncodeToString(config.Marshal())}
	byMSP := map[string]string{}
	for _, p := range network.PartyNames() {
		byMSP[network.Parties[p].MSPID] = p
	}
	app := config.Application()
	if app == nil {
		return state, fmt.Errorf("channel %s: the config has no /Channel/Application group", channel)
	}
	for _, org := range app.GroupNames() {
		party, ok := byMSP[org]
		if !ok {
			return state, fmt.Errorf("channel %s: organisation %s in the config is no party's mspId", channel, org)
		}
		state.Members = append(state.Members, party)
	}
	slices.Sort(state.Members)
	endpoints, err := config.Consenters()
	if err != nil {
		return state, fmt.Errorf("channel %s: %w", channel, err)
	}
	byEndpoint := OrdererEndpoints(network)
	for _, e := range endpoints {
		node, ok := byEndpoint[e]
		if !ok {
			return state, fmt.Errorf("channel %s: consenter %s in the config is no orderer node's endpoint", channel, e)
		}
		state.Consenters = append(state.Consenters, node)
	}
	return state, nil
}

// OrdererEndpoints maps each orderer node's endpoint ("host:port", where the other
// consenters dial it and as a channel's config names a consenter) to the node.
func OrdererEndpoints(network *model.Network) map[string]string {
	out := map[string]string{}
	for _, name := range network.NodeNames() {
		if n := network.Nodes[name]; n.Role == model.RoleOrderer {
			out[fmt.Sprintf("%s:%d", n.Endpoint.Host, n.Endpoint.Port)] = name
		}
	}
	return out
}

// ChannelChange is one difference between a running channel's config and the model.
type ChannelChange struct {
	Channel string
	// Kind is "add" or "remove" (a member party), "anchor-peers" (a member's peers
	// changed), or "add-consenter", "remove-consenter" or "renew-consenter" (an
	// orderer node of Party).
	Kind  string
	Party string
	// Node is the orderer of a consenter change.
	Node string
}

// Subject is what the change names: the party, or the orderer of a consenter change.
func (c ChannelChange) Subject() string {
	if c.Node != "" {
		return c.Node
	}
	return c.Party
}

// Change kinds.
const (
	KindAdd             = "add"
	KindRemove          = "remove"
	KindAddConsenter    = "add-consenter"
	KindRemoveConsenter = "remove-consenter"
	KindRenewConsenter  = "renew-consenter"
	KindAnchorPeers     = "anchor-peers"
)

// deferrable are the changes that may wait their turn behind each other: a renewed
// consenter goes on working on the same key, and a member's old anchor peers still
// reach its organisation's peers.
func deferrable(c ChannelChange) bool {
	return c.Kind == KindRenewConsenter || c.Kind == KindAnchorPeers
}

// PendingChanges lists what the model changes in a launched channel's members and
// consenters against what its config holds: nothing for a channel not launched. A
// party leaving the channel while an orderer of its own is still one of the
// channel's consenters is an error: its orderer would keep ordering (and holding)
// the channel it left; its consenters go first, one change at a time.
func PendingChanges(network *model.Network, channel string) ([]ChannelChange, error) {
	state, config, ok, err := OnChain(network, channel)
	if err != nil || !ok {
		return nil, err
	}
	ch := network.Fabric.Channels[channel]
	var out []ChannelChange
	for _, p := range slices.Sorted(slices.Values(ch.Members)) {
		if !slices.Contains(state.Members, p) {
			out = append(out, ChannelChange{Channel: channel, Kind: KindAdd, Party: p})
		}
	}
	for _, p := range state.Members {
		if !slices.Contains(ch.Members, p) {
			out = append(out, ChannelChange{Channel: channel, Kind: KindRemove, Party: p})
		}
	}
	for _, n := range ch.Consenters {
		if !slices.Contains(state.Consenters, n) {
			out = append(out, ChannelChange{Channel: channel, Kind: KindAddConsenter, Party: network.Nodes[n].Party, Node: n})
		}
	}
	for _, n := range state.Consenters {
		if _, ok := network.Nodes[n]; !ok {
			// Its certificates and endpoint are what the update must take out.
			return nil, fmt.Errorf("channel %s: orderer %s is still a consenter on chain (cue/channels.cue) but no longer a node: keep the node until an update has taken it out of consenters and the channel is recorded", channel, n)
		}
		if !slices.Contains(ch.Consenters, n) {
			out = append(out, ChannelChange{Channel: channel, Kind: KindRemoveConsenter, Party: network.Nodes[n].Party, Node: n})
		}
	}
	// A consenter staying whose certificates in the model are not the ones the config
	// holds was renewed (flux-ledger keys renew, or keys init --rotate).
	held, err := config.ConsenterCertificates()
	if err != nil {
		return nil, fmt.Errorf("channel %s: %w", channel, err)
	}
	for _, n := range state.Consenters {
		if !slices.Contains(ch.Consenters, n) {
			continue
		}
		id, node := network.Identities[n], network.Nodes[n]
		certs := held[fmt.Sprintf("%s:%d", node.Endpoint.Host, node.Endpoint.Port)]
		if id.TLSCert != "" && (string(certs.TLSCert) != id.TLSCert || (certs.Identity != nil && string(certs.Identity) != id.SignCert)) {
			out = append(out, ChannelChange{Channel: channel, Kind: KindRenewConsenter, Party: node.Party, Node: n})
		}
	}
	// A member staying whose peers are not its anchor peers in the config (a peer
	// added or removed since), while it runs a peer at all: its submit Job needs one.
	for _, p := range state.Members {
		if !slices.Contains(ch.Members, p) {
			continue
		}
		org, err := memberOrg(network, p)
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", channel, err)
		}
		// A party whose mspId changed is no group of the config: plan refuses that.
		if app := config.Application(); app == nil || app.Groups[org.MSPID] == nil {
			continue
		}
		if len(org.AnchorPeers) > 0 && !bytes.Equal(config.AnchorPeersOf(org.MSPID), configtx.EncodedAnchorPeers(org.AnchorPeers)) {
			out = append(out, ChannelChange{Channel: channel, Kind: KindAnchorPeers, Party: p})
		}
	}
	// Renewals and anchor peers wait their turn: etcdraft takes one consenter change
	// per update (Fabric v2.5.16 orderer/consensus/etcdraft/membership.go: "update of
	// more than one consenter at a time is not supported"; a rotation is one added and
	// one removed), and neither stops anything meanwhile (deferrable). So when only
	// such changes are pending, the first is the change, the others follow once it is
	// recorded; with any other change, they count as changes.
	if len(out) > 1 && !slices.ContainsFunc(out, func(c ChannelChange) bool { return !deferrable(c) }) {
		out = out[:1]
	}
	// Several changes are refused as such (plan, checks.oneChannelChange); once one
	// is left, a leaving party's consenters are its own refusal.
	for _, c := range out {
		if c.Kind != KindRemove || len(out) > 1 {
			continue
		}
		var held []string
		for _, n := range slices.Concat(ch.Consenters, state.Consenters) {
			if network.Nodes[n].Party == c.Party && !slices.Contains(held, n) {
				held = append(held, n)
			}
		}
		if len(held) > 0 {
			return nil, fmt.Errorf("channel %s: party %s leaves the channel but its orderers %s are still consenters: remove them from consenters first, one change at a time, each recorded on chain (flux-ledger channels record)",
				channel, c.Party, strings.Join(held, ", "))
		}
	}
	return out, nil
}

// Update is the config update a member change needs, computed against the config
// the chain holds.
type Update struct {
	Change ChannelChange
	// Sequence is the config's sequence once the update applies.
	Sequence uint64
	MSPID    string
	// Path is the unsigned envelope's path: channels/<channel>/updates/<seq>-<kind>-<party>.pb.
	Path         string
	Envelope     []byte
	Requirements []configtx.Requirement
	// NewOrdererOrg says that a consenter's party orders nothing on the channel yet:
	// the update adds its orderer organisation too.
	NewOrdererOrg bool
}

// ChannelUpdate computes the update of a channel's one pending change; nil when there
// is none. Two pending changes are an error: each update is signed against the config
// the chain has, and the second would be stale once the first lands.
func ChannelUpdate(network *model.Network, channel string) (*Update, error) {
	changes, err := PendingChanges(network, channel)
	if err != nil || len(changes) == 0 {
		return nil, err
	}
	if len(changes) > 1 {
		return nil, fmt.Errorf("channel %s: %d changes pending against its config (%s): one at a time, each recorded on chain (flux-ledger channels record) before the next", channel, len(changes), describe(changes))
	}
	change := changes[0]
	_, current, _, err := OnChain(network, channel)
	if err != nil {
		return nil, err
	}
	mspID := network.Parties[change.Party].MSPID
	var updated *configtx.Config
	switch change.Kind {
	case KindAdd:
		org, err := memberOrg(network, change.Party)
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", channel, err)
		}
		updated, err = configtx.WithApplicationOrg(current, org)
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", channel, err)
		}
	case KindRemove:
		updated, err = configtx.WithoutApplicationOrg(current, mspID)
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", channel, err)
		}
	case KindAnchorPeers:
		org, err := memberOrg(network, change.Party)
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", channel, err)
		}
		updated, err = configtx.WithAnchorPeers(current, mspID, org.AnchorPeers)
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", channel, err)
		}
	default:
		updated, err = withConsenterChange(network, current, change)
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", channel, err)
		}
	}
	u, err := configtx.ComputeUpdate(channel, current, updated)
	if err != nil {
		return nil, fmt.Errorf("channel %s: %w", channel, err)
	}
	reqs, err := u.Requirements(current)
	if err != nil {
		return nil, fmt.Errorf("channel %s: %w", channel, err)
	}
	seq := current.Sequence + 1
	newOrg := false
	if orderer := current.Channel.Groups["Orderer"]; change.Kind == KindAddConsenter && orderer != nil {
		_, known := orderer.Groups[mspID]
		newOrg = !known
	}
	return &Update{
		NewOrdererOrg: newOrg,
		Change:        change, Sequence: seq, MSPID: mspID,
		Path:         path.Join(UpdatesDir, channel, "updates", fmt.Sprintf("%d-%s-%s.pb", seq, change.Kind, change.Subject())),
		Envelope:     u.Envelope(),
		Requirements: byPolicy(reqs),
	}, nil
}

// withConsenterChange applies a consenter change to the config: the node's endpoint
// and certificates, as the genesis block lists a consenter (ChannelConfig), its
// party's orderer org added with its first consenter on the channel and removed with
// its last.
func withConsenterChange(network *model.Network, current *configtx.Config, change ChannelChange) (*configtx.Config, error) {
	node, ok := network.Nodes[change.Node]
	if !ok || node.Role != model.RoleOrderer {
		return nil, fmt.Errorf("consenter %s is not an orderer", change.Node)
	}
	endpoint := fmt.Sprintf("%s:%d", node.Endpoint.Host, node.Endpoint.Port)
	mspID := network.Parties[change.Party].MSPID
	if change.Kind == KindRemoveConsenter {
		last := !slices.ContainsFunc(network.Fabric.Channels[change.Channel].Consenters, func(n string) bool {
			return network.Nodes[n].Party == change.Party
		})
		return configtx.WithoutConsenter(current, mspID, endpoint, last)
	}
	id := network.Identities[change.Node]
	if id.TLSCert == "" || id.SignCert == "" {
		return nil, fmt.Errorf("consenter %s has no certificates (flux-ledger keys init)", change.Node)
	}
	consenter := configtx.NewConsenter{Host: node.Endpoint.Host, Port: uint32(node.Endpoint.Port), TLSCert: []byte(id.TLSCert), Identity: []byte(id.SignCert)}
	if change.Kind == KindRenewConsenter {
		return configtx.WithRenewedConsenter(current, consenter)
	}
	org, err := channelOrg(network, change.Party)
	if err != nil {
		return nil, err
	}
	return configtx.WithConsenter(current, org, consenter)
}

// byPolicy merges the requirements that name one policy: a consenter change modifies
// several elements under one mod_policy (BFT's Orderers value and BlockValidation
// policy, both /Channel/Orderer/Admins), and one set of signatures satisfies them
// all. The first occurrence keeps its place.
func byPolicy(reqs []configtx.Requirement) []configtx.Requirement {
	var out []configtx.Requirement
	at := map[string]int{}
	for _, r := range reqs {
		if i, ok := at[r.Policy]; ok {
			out[i].Element += ", " + r.Element
			continue
		}
		at[r.Policy] = len(out)
		out = append(out, r)
	}
	return out
}

func describe(changes []ChannelChange) string {
	s := ""
	for i, c := range changes {
		if i > 0 {
			s += ", "
		}
		s += c.Kind + " " + c.Subject()
	}
	return s
}

// updateSummary is the readable side of an update envelope.
type updateSummary struct {
	Channel      string             `json:"channel"`
	Change       string             `json:"change"`
	Party        string             `json:"party"`
	Node         string             `json:"node,omitempty"`
	Organisation string             `json:"organisation"`
	Sequence     uint64             `json:"sequence"`
	Envelope     string             `json:"envelope"`
	SHA256       string             `json:"sha256"`
	Signatures   []signatureSummary `json:"signatures"`
	Steps        []string           `json:"steps"`
}

type signatureSummary struct {
	Modifies string   `json:"modifies"`
	Policy   string   `json:"policy"`
	Rule     string   `json:"rule"`
	Required int      `json:"required"`
	Of       []string `json:"of"`
}

// ChannelUpdates renders every launched channel's pending member change: the
// unsigned envelope and a summary beside it (<seq>-<kind>-<party>.yaml).
func ChannelUpdates(network *model.Network) (map[string][]byte, error) {
	out := map[string][]byte{}
	if network.Fabric == nil {
		return out, nil
	}
	for _, channel := range network.Fabric.ChannelNames() {
		// Several changes pending, or a config the model cannot name (an organisation
		// renamed, a record that does not decode): nothing is rendered, and plan
		// refuses the change, saying why (the schema too, for several changes once the
		// channel's config is recorded).
		if changes, err := PendingChanges(network, channel); err != nil || len(changes) > 1 {
			continue
		}
		u, err := ChannelUpdate(network, channel)
		if err != nil {
			return nil, err
		}
		if u == nil {
			continue
		}
		sum := sha256.Sum256(u.Envelope)
		s := updateSummary{
			Channel: channel, Change: u.Change.Kind, Party: u.Change.Party, Node: u.Change.Node, Organisation: u.MSPID, Sequence: u.Sequence,
			Envelope: path.Base(u.Path), SHA256: hex.EncodeToString(sum[:]),
			Steps: []string{
				"each admin the signatures name signs with its own key: flux-ledger channels sign --channel " + channel + " --party <party> (flux-ledger plan counts the signatures)",
				"once enough signed, generate renders " + path.Base(SignedPath(u)) + " and a Job of the first signing member submits it (peer channel update -f " + path.Base(SignedPath(u)) + " -c " + channel + ")",
				"then: flux-ledger channels record --channel " + channel + " --from <config block from peer channel fetch config>",
			},
		}
		// Fabric v3.1.5 docs/source/raft_configuration.md and bft_configuration.md,
		// Reconfiguration: a new node joins as a follower and replicates before it
		// enters the consenter set, which needs its orderer organisation on the channel
		// already (step 1: otherwise it cannot pull blocks); no consenter change starts
		// while a consenter is down.
		switch {
		case u.Change.Kind == KindAddConsenter && u.NewOrdererOrg:
			s.Steps = append([]string{"before submitting: every consenter is healthy; " + u.MSPID + " orders nothing on the channel yet, so this update adds its orderer organisation with " + u.Change.Node +
				", which cannot replicate as a follower first: once the update lands it joins with the latest config block (osnadmin channel join), and until it has caught up the channel needs every other consenter up"}, s.Steps...)
		case u.Change.Kind == KindAddConsenter:
			s.Steps = append([]string{"before submitting: " + u.Change.Node + " runs, has joined the channel (osnadmin channel join) and replicated its blocks as a follower, and every consenter is healthy"}, s.Steps...)
		case u.Change.Kind == KindRenewConsenter:
			s.Steps = append([]string{renewalStep(network, channel, u.Change.Node)}, s.Steps...)
		}
		for _, r := range u.Requirements {
			s.Signatures = append(s.Signatures, signatureSummary{Modifies: r.Element, Policy: r.Policy, Rule: r.Rule + " " + r.SubPolicy, Required: r.Threshold, Of: r.Orgs})
		}
		summary, err := yaml.Marshal(s)
		if err != nil {
			return nil, err
		}
		header := fmt.Sprintf("# Unsigned config update of channel %s: %s %s (%s), computed by flux-ledger generate\n# against the config the channel holds (sequence %d).\n", channel, u.Change.Kind, u.Change.Subject(), u.MSPID, u.Sequence-1)
		out[u.Path] = u.Envelope
		out[u.Path[:len(u.Path)-len(".pb")]+".yaml"] = append([]byte(header), summary...)
	}
	return out, nil
}

// renewalStep says what a consenter's renewal means for the running channel. Fabric
// v2.5.16 orderers know a consenter by its TLS certificate's public key
// (orderer/common/cluster/connections.go, etcdraft/consenter.go detectSelfID:
// crypto.CertificatesWithSamePublicKey), so a certificate renewed on the same key goes
// on working before the update lands, and one on a new key does not.
func renewalStep(network *model.Network, channel, node string) string {
	_, config, _, err := OnChain(network, channel)
	if err == nil {
		n := network.Nodes[node]
		var held configtx.ConsenterCerts
		if certs, err := config.ConsenterCertificates(); err == nil {
			held = certs[fmt.Sprintf("%s:%d", n.Endpoint.Host, n.Endpoint.Port)]
		}
		if sameKey(held.TLSCert, []byte(network.Identities[node].TLSCert)) {
			return "the renewed TLS certificate of " + node + " keeps its key, so the other consenters go on accepting it; this update puts it in the channel's config before the one there expires"
		}
	}
	return "the renewed TLS certificate of " + node + " has a new key: from the moment " + node + " runs it until this update lands, the other consenters refuse its connections (they know consenters by their TLS public key) — renew one consenter at a time, while every other consenter is healthy"
}

// sameKey says whether two PEM certificates hold the same public key.
func sameKey(a, b []byte) bool {
	ca, errA := msp.ParseCertPEM(a)
	cb, errB := msp.ParseCertPEM(b)
	if errA != nil || errB != nil {
		return false
	}
	key, ok := ca.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	return ok && key.Equal(cb.PublicKey)
}
