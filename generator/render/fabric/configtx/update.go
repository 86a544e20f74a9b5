package configtx

import (
	"bytes"
	"errors"
	"fmt"
)

// common.HeaderType CONFIG_UPDATE (fabric-protos common/common.proto).
const headerTypeConfigUpdate = 2

// ConfigUpdate is common.ConfigUpdate{channel_id = 1, read_set = 2, write_set = 3}
// (common/configtx.proto): what a channel's config must be at for the update to
// apply (the read set's versions), and what it becomes (the write set).
type ConfigUpdate struct {
	ChannelID string
	ReadSet   *ConfigGroup
	WriteSet  *ConfigGroup
}

// ComputeUpdate computes the update that turns original into updated, by the rules
// of Fabric v2.5.16's internal/configtxlator/update/update.go (Compute,
// computeGroupUpdate, compute{Policies,Values,Groups}MapUpdate), the code behind
// `configtxlator compute_update`:
//
//   - an element whose content and mod_policy are unchanged is "same": in the read
//     and write sets of its parent only when the parent's membership changes, and
//     then as its version alone;
//   - a changed value or policy goes into the write set at version+1 with its new
//     content and mod_policy;
//   - a group whose members (sub-groups, values, policies) are added or removed, or
//     whose mod_policy changes, is in the read set at its version with every same
//     member, and in the write set at version+1 with its mod_policy;
//   - a group that only contains changes is in both sets at its version, with only
//     the changed members, and no mod_policy;
//   - a new element is in the write set at version 0, whole; a removed one is in
//     neither (its parent's version+1 removes it).
//
// Fabric checks the result against the channel (common/configtx/update.go
// verifyReadSet, computeDeltaSet, verifyDeltaSet): every read set version must be the
// current one, and each write set element whose version differs from the read set's
// must be new at version 0 or at current+1, and then needs its current mod_policy
// satisfied.
func ComputeUpdate(channelID string, original, updated *Config) (*ConfigUpdate, error) {
	if original == nil || original.Channel == nil {
		return nil, errors.New("no channel group in the original config")
	}
	if updated == nil || updated.Channel == nil {
		return nil, errors.New("no channel group in the updated config")
	}
	read, write, changed := groupUpdate(original.Channel, updated.Channel)
	if !changed {
		return nil, errors.New("no differences between the original and the updated config")
	}
	return &ConfigUpdate{ChannelID: channelID, ReadSet: read, WriteSet: write}, nil
}

func groupUpdate(original, updated *ConfigGroup) (read, write *ConfigGroup, changed bool) {
	readPolicies, writePolicies, samePolicies, policiesMembers := itemsUpdate(original.Policies, updated.Policies)
	readValues, writeValues, sameValues, valuesMembers := itemsUpdate(original.Values, updated.Values)
	readGroups, writeGroups, sameGroups, groupsMembers := groupsUpdate(original.Groups, updated.Groups)

	if !policiesMembers && !valuesMembers && !groupsMembers && original.ModPolicy == updated.ModPolicy {
		if len(readPolicies)+len(writePolicies)+len(readValues)+len(writeValues)+len(readGroups)+len(writeGroups) == 0 {
			return &ConfigGroup{Version: original.Version}, &ConfigGroup{Version: original.Version}, false
		}
		return &ConfigGroup{Version: original.Version, Policies: readPolicies, Values: readValues, Groups: readGroups},
			&ConfigGroup{Version: original.Version, Policies: writePolicies, Values: writeValues, Groups: writeGroups}, true
	}
	for k, v := range samePolicies {
		readPolicies[k], writePolicies[k] = v, v
	}
	for k, v := range sameValues {
		readValues[k], writeValues[k] = v, v
	}
	for k, v := range sameGroups {
		readGroups[k], writeGroups[k] = v, v
	}
	return &ConfigGroup{Version: original.Version, Policies: readPolicies, Values: readValues, Groups: readGroups},
		&ConfigGroup{Version: original.Version + 1, Policies: writePolicies, Values: writeValues, Groups: writeGroups, ModPolicy: updated.ModPolicy},
		true
}

// itemsUpdate is computeValuesMapUpdate and computePoliciesMapUpdate: values compare
// by bytes and mod_policy; Fabric compares policies with proto.Equal, and here their
// encodings are compared, which agree for the deterministic encodings both sides use.
func itemsUpdate(original, updated map[string]*ConfigItem) (read, write, same map[string]*ConfigItem, members bool) {
	read, write, same = map[string]*ConfigItem{}, map[string]*ConfigItem{}, map[string]*ConfigItem{}
	for name, o := range original {
		u, ok := updated[name]
		if !ok {
			members = true
			continue
		}
		if o.ModPolicy == u.ModPolicy && bytes.Equal(o.Content, u.Content) {
			same[name] = &ConfigItem{Version: o.Version}
			continue
		}
		write[name] = &ConfigItem{Version: o.Version + 1, ModPolicy: u.ModPolicy, Content: u.Content}
	}
	for name, u := range updated {
		if _, ok := original[name]; ok {
			continue
		}
		members = true
		write[name] = &ConfigItem{Version: 0, ModPolicy: u.ModPolicy, Content: u.Content}
	}
	return read, write, same, members
}

// groupsUpdate is computeGroupsMapUpdate: a new group is written whole at version 0
// (its update from an empty group, every element at version 0).
func groupsUpdate(original, updated map[string]*ConfigGroup) (read, write, same map[string]*ConfigGroup, members bool) {
	read, write, same = map[string]*ConfigGroup{}, map[string]*ConfigGroup{}, map[string]*ConfigGroup{}
	for name, o := range original {
		u, ok := updated[name]
		if !ok {
			members = true
			continue
		}
		r, w, changed := groupUpdate(o, u)
		if !changed {
			same[name] = r
			continue
		}
		read[name], write[name] = r, w
	}
	for name, u := range updated {
		if _, ok := original[name]; ok {
			continue
		}
		members = true
		_, w, _ := groupUpdate(newConfigGroup(), u)
		write[name] = &ConfigGroup{Version: 0, ModPolicy: u.ModPolicy, Policies: w.Policies, Values: w.Values, Groups: w.Groups}
	}
	return read, write, same, members
}

// Marshal encodes the update as common.ConfigUpdate (isolated_data = 5 stays empty).
func (u *ConfigUpdate) Marshal() []byte {
	return msg(nil).string(1, u.ChannelID).field(2, u.ReadSet.Marshal()).field(3, u.WriteSet.Marshal())
}

// Envelope wraps the update as `peer channel signconfigtx -f` and `peer channel
// update -f` read it (Fabric v2.5.16 internal/peer/channel/signconfigtx.go sign →
// create.go sanityCheckAndSignConfigTx): a common.Envelope{payload = 1} whose
// Payload{header = 1, data = 2} has a Header{channel_header = 1} with
// ChannelHeader{type = 1: CONFIG_UPDATE, channel_id = 4} and, as data, a
// ConfigUpdateEnvelope{config_update = 1, signatures = 2} without signatures. Each
// signconfigtx appends one ConfigSignature; the outer header carries nothing else
// (no timestamp, no tx id: update re-wraps the envelope in a new signed one,
// protoutil.CreateSignedEnvelope), so the bytes depend on the update only.
func (u *ConfigUpdate) Envelope() []byte {
	channelHeader := msg(nil).int32(1, headerTypeConfigUpdate).string(4, u.ChannelID)
	header := msg(nil).field(1, channelHeader)
	data := msg(nil).field(1, u.Marshal())
	payload := msg(nil).field(1, header).field(2, data)
	return msg(nil).field(1, payload)
}

// WithApplicationOrg returns a copy of c with org's group added under
// /Channel/Application, laid out as the genesis block lays out its members
// (configtxgen's NewApplicationOrgGroup: MSP, anchor peers, the org's policies, every
// element modified by the org's Admins).
func WithApplicationOrg(c *Config, org Org) (*Config, error) {
	if err := validateOrgs("application", []Org{org}); err != nil {
		return nil, err
	}
	updated, err := clone(c)
	if err != nil {
		return nil, err
	}
	app := updated.Application()
	if app == nil {
		return nil, errors.New("the config has no /Channel/Application group")
	}
	name := org.groupName()
	if _, ok := app.Groups[name]; ok {
		return nil, fmt.Errorf("application org %s is already a member of the channel", name)
	}
	g, err := decodeGroup(orgGroup(org, applicationOrgPolicies, anchorPeersValue).marshal())
	if err != nil {
		return nil, err
	}
	app.Groups[name] = g
	return updated, nil
}

// WithoutApplicationOrg returns a copy of c without the group name under
// /Channel/Application.
func WithoutApplicationOrg(c *Config, name string) (*Config, error) {
	updated, err := clone(c)
	if err != nil {
		return nil, err
	}
	app := updated.Application()
	if app == nil {
		return nil, errors.New("the config has no /Channel/Application group")
	}
	if _, ok := app.Groups[name]; !ok {
		return nil, fmt.Errorf("application org %s is not a member of the channel", name)
	}
	if len(app.Groups) == 1 {
		return nil, fmt.Errorf("application org %s is the channel's last member", name)
	}
	delete(app.Groups, name)
	return updated, nil
}

func clone(c *Config) (*Config, error) {
	if c == nil || c.Channel == nil {
		return nil, errors.New("no channel group in the config")
	}
	return DecodeConfig(c.Marshal())
}

// AnchorPeersOf returns the encoded AnchorPeers value of application org name, nil
// when it has none.
func (c *Config) AnchorPeersOf(name string) []byte {
	app := c.Application()
	if app == nil || app.Groups[name] == nil || app.Groups[name].Values[anchorPeersKey] == nil {
		return nil
	}
	return app.Groups[name].Values[anchorPeersKey].Content
}

// EncodedAnchorPeers is the AnchorPeers value listing peers, as AnchorPeersOf returns
// it.
func EncodedAnchorPeers(peers []AnchorPeer) []byte {
	if len(peers) == 0 {
		return nil
	}
	return anchorPeers(peers)
}

// WithAnchorPeers returns a copy of c in which application org name lists peers as
// its anchor peers: the AnchorPeers value (peer.AnchorPeers{repeated anchor_peers =
// 1}, AnchorPeer{host = 1, port = 2}) replaced, created with mod_policy Admins as
// configtxgen writes it (internal/configtxgen/encoder/encoder.go
// NewApplicationOrgGroup), or removed when there are none — what Fabric's "Updating
// the anchor peers" step of adding an org does by hand
// (docs/source/channel_update_tutorial.rst).
func WithAnchorPeers(c *Config, name string, peers []AnchorPeer) (*Config, error) {
	updated, err := clone(c)
	if err != nil {
		return nil, err
	}
	app := updated.Application()
	if app == nil || app.Groups[name] == nil {
		return nil, fmt.Errorf("application org %s is not a member of the channel", name)
	}
	org := app.Groups[name]
	if len(peers) == 0 {
		delete(org.Values, anchorPeersKey)
		return updated, nil
	}
	v := org.Values[anchorPeersKey]
	if v == nil {
		v = &ConfigItem{ModPolicy: adminsPolicy}
	}
	v.Content = anchorPeers(peers)
	org.Values[anchorPeersKey] = v
	return updated, nil
}
