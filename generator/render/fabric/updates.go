package fabric

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path"
	"slices"

	"sigs.k8s.io/yaml"

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
	byEndpoint := map[string]string{}
	for _, name := range network.NodeNames() {
		if n := network.Nodes[name]; n.Role == model.RoleOrderer {
			byEndpoint[fmt.Sprintf("%s:%d", n.Endpoint.Host, n.Endpoint.Port)] = name
		}
	}
	for _, e := range endpoints {
		node, ok := byEndpoint[e]
		if !ok {
			return state, fmt.Errorf("channel %s: consenter %s in the config is no orderer node's endpoint", channel, e)
		}
		state.Consenters = append(state.Consenters, node)
	}
	return state, nil
}

// ChannelChange is one difference between a running channel's config and the model.
type ChannelChange struct {
	Channel string
	// Kind is "add" or "remove" (a member party), or "consenters".
	Kind  string
	Party string
}

// PendingChanges lists what the model changes in a launched channel's members and
// consenters against what its config holds: nothing for a channel not launched.
func PendingChanges(network *model.Network, channel string) ([]ChannelChange, error) {
	state, _, ok, err := OnChain(network, channel)
	if err != nil || !ok {
		return nil, err
	}
	ch := network.Fabric.Channels[channel]
	var out []ChannelChange
	for _, p := range slices.Sorted(slices.Values(ch.Members)) {
		if !slices.Contains(state.Members, p) {
			out = append(out, ChannelChange{Channel: channel, Kind: "add", Party: p})
		}
	}
	for _, p := range state.Members {
		if !slices.Contains(ch.Members, p) {
			out = append(out, ChannelChange{Channel: channel, Kind: "remove", Party: p})
		}
	}
	for _, n := range ch.Consenters {
		if !slices.Contains(state.Consenters, n) {
			out = append(out, ChannelChange{Channel: channel, Kind: "consenters", Party: network.Nodes[n].Party})
		}
	}
	for _, n := range state.Consenters {
		if !slices.Contains(ch.Consenters, n) {
			out = append(out, ChannelChange{Channel: channel, Kind: "consenters", Party: network.Nodes[n].Party})
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
}

// ChannelUpdate computes the update of a channel's one pending member change; nil
// when there is none or it is a consenter change (not computed yet). Two pending
// changes are an error: each update is signed against the config the chain has, and
// the second would be stale once the first lands.
func ChannelUpdate(network *model.Network, channel string) (*Update, error) {
	changes, err := PendingChanges(network, channel)
	if err != nil || len(changes) == 0 {
		return nil, err
	}
	if len(changes) > 1 {
		return nil, fmt.Errorf("channel %s: %d changes pending against its config (%s): one at a time, each recorded on chain (flux-ledger channels record) before the next", channel, len(changes), describe(changes))
	}
	change := changes[0]
	if change.Kind == "consenters" {
		return nil, nil
	}
	_, current, _, err := OnChain(network, channel)
	if err != nil {
		return nil, err
	}
	mspID := network.Parties[change.Party].MSPID
	var updated *configtx.Config
	if change.Kind == "add" {
		org, err := memberOrg(network, change.Party)
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", channel, err)
		}
		updated, err = configtx.WithApplicationOrg(current, org)
		if err != nil {
			return nil, fmt.Errorf("channel %s: %w", channel, err)
		}
	} else {
		updated, err = configtx.WithoutApplicationOrg(current, mspID)
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
	return &Update{
		Change: change, Sequence: seq, MSPID: mspID,
		Path:         path.Join(UpdatesDir, channel, "updates", fmt.Sprintf("%d-%s-%s.pb", seq, change.Kind, change.Party)),
		Envelope:     u.Envelope(),
		Requirements: reqs,
	}, nil
}

func describe(changes []ChannelChange) string {
	s := ""
	for i, c := range changes {
		if i > 0 {
			s += ", "
		}
		s += c.Kind + " " + c.Party
	}
	return s
}

// updateSummary is the readable side of an update envelope.
type updateSummary struct {
	Channel      string             `json:"channel"`
	Change       string             `json:"change"`
	Party        string             `json:"party"`
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
			Channel: channel, Change: u.Change.Kind, Party: u.Change.Party, Organisation: u.MSPID, Sequence: u.Sequence,
			Envelope: path.Base(u.Path), SHA256: hex.EncodeToString(sum[:]),
			Steps: []string{
				"each member's admin signs with its own key: flux-ledger channels sign --channel " + channel + " --party <member> (flux-ledger plan counts the signatures)",
				"once enough signed, generate renders " + path.Base(SignedPath(u)) + " and a Job of the first signing member submits it (peer channel update -f " + path.Base(SignedPath(u)) + " -c " + channel + ")",
				"then: flux-ledger channels record --channel " + channel + " --from <config block from peer channel fetch config>",
			},
		}
		for _, r := range u.Requirements {
			s.Signatures = append(s.Signatures, signatureSummary{Modifies: r.Element, Policy: r.Policy, Rule: r.Rule + " " + r.SubPolicy, Required: r.Threshold, Of: r.Orgs})
		}
		summary, err := yaml.Marshal(s)
		if err != nil {
			return nil, err
		}
		header := fmt.Sprintf("# Unsigned config update of channel %s: %s %s (%s), computed by flux-ledger generate\n# against the config the channel holds (sequence %d).\n", channel, u.Change.Kind, u.Change.Party, u.MSPID, u.Sequence-1)
		out[u.Path] = u.Envelope
		out[u.Path[:len(u.Path)-len(".pb")]+".yaml"] = append([]byte(header), summary...)
	}
	return out, nil
}
