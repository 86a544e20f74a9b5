package configtx

import "fmt"

// Group keys (common/channelconfig: channel.go ChannelGroupKey, orderer.go
// OrdererGroupKey, application.go ApplicationGroupKey).
const (
	channelGroupKey     = "Channel"
	ordererGroupKey     = "Orderer"
	applicationGroupKey = "Application"
)

// ordererAdmins is the mod_policy of /Channel's OrdererAddresses: only the orderer
// admins may move the ordering service (encoder.go ordererAdminsPolicyName).
const ordererAdmins = "/Channel/Orderer/Admins"

// group is a common.ConfigGroup before encoding. Every element of a genesis config is at
// version 0, which proto3 leaves out, so no version is kept.
type group struct {
	groups    map[string]*group
	values    map[string][]byte
	valueMods map[string]string // mod_policy of a value when not the group's default
	policies  map[string]policy
	modPolicy string
}

// newGroup starts a group whose policies and values are all modified by modPolicy,
// as configtxgen gives every element of a group the group's own "Admins"
// (internal/configtxgen/encoder/encoder.go addValue, AddPolicies).
func newGroup(modPolicy string, policies map[string]policy) *group {
	return &group{groups: map[string]*group{}, values: map[string][]byte{}, valueMods: map[string]string{}, policies: policies, modPolicy: modPolicy}
}

// marshal encodes ConfigGroup{version = 1, map groups = 2, map values = 3,
// map policies = 4, mod_policy = 5}, ConfigValue{version = 1, value = 2,
// mod_policy = 3} and ConfigPolicy{version = 1, policy = 2, mod_policy = 3}
// (fabric-protos common/configtx.proto).
func (g *group) marshal() []byte {
	groups := map[string][]byte{}
	for k, sub := range g.groups {
		groups[k] = sub.marshal()
	}
	values := map[string][]byte{}
	for k, v := range g.values {
		mod := g.modPolicy
		if m, ok := g.valueMods[k]; ok {
			mod = m
		}
		values[k] = msg(nil).bytes(2, v).string(3, mod)
	}
	policies := map[string][]byte{}
	for k, p := range g.policies {
		policies[k] = msg(nil).field(2, p.marshal()).string(3, g.modPolicy)
	}
	return msg(nil).mapOf(2, groups).mapOf(3, values).mapOf(4, policies).string(5, g.modPolicy)
}

// channelGroup builds /Channel as encoder.go NewChannelGroup does for a profile with an
// Orderer and an Application section and no Consortium (an application channel
// created without a system channel).
func channelGroup(c Channel) (*group, error) {
	g := newGroup(adminsPolicy, levelPolicies())
	g.values[hashingAlgorithmKey] = hashingAlgorithm()
	g.values[blockDataHashingStructureKey] = blockDataHashingStructure()
	if len(c.Orderer.Addresses) > 0 {
		g.values[ordererAddressesKey] = ordererAddresses(c.Orderer.Addresses)
		g.valueMods[ordererAddressesKey] = ordererAdmins
	}
	if len(c.Capabilities.Channel) > 0 {
		g.values[capabilitiesKey] = capabilities(c.Capabilities.Channel)
	}
	orderer, err := ordererGroup(c)
	if err != nil {
		return nil, err
	}
	g.groups[ordererGroupKey] = orderer
	g.groups[applicationGroupKey] = applicationGroup(c)
	return g, nil
}

// ordererGroup builds /Channel/Orderer (encoder.go NewOrdererGroup): batch settings,
// channel restrictions, capabilities, the consensus type, one group per orderer org
// with its orderers' endpoints.
func ordererGroup(c Channel) (*group, error) {
	o := c.Orderer
	if o.Consensus == nil {
		return nil, fmt.Errorf("orderer: no consensus")
	}
	g := newGroup(adminsPolicy, ordererPolicies())
	g.values[batchSizeKey] = batchSize(o.BatchSize)
	g.values[batchTimeoutKey] = batchTimeout(o.BatchTimeout)
	g.values[channelRestrictionsKey] = channelRestrictions(o.MaxChannels)
	if len(c.Capabilities.Orderer) > 0 {
		g.values[capabilitiesKey] = capabilities(c.Capabilities.Orderer)
	}
	if err := o.Consensus.configure(g); err != nil {
		return nil, fmt.Errorf("orderer: %w", err)
	}
	addOrgGroups(g, c.OrdererOrgs, ordererOrgPolicies, func(org Org) (string, []byte) {
		if len(org.OrdererEndpoints) == 0 {
			return "", nil
		}
		return endpointsKey, ordererAddresses(org.OrdererEndpoints)
	})
	return g, nil
}

// applicationGroup builds /Channel/Application (encoder.go NewApplicationGroup,
// NewApplicationOrgGroup): ACLs, capabilities, one group per application org with
// its MSP and, when it has some, its anchor peers.
func applicationGroup(c Channel) *group {
	g := newGroup(adminsPolicy, applicationPolicies())
	if len(c.ACLs) > 0 {
		g.values[aclsKey] = acls(c.ACLs)
	}
	if len(c.Capabilities.Application) > 0 {
		g.values[capabilitiesKey] = capabilities(c.Capabilities.Application)
	}
	addOrgGroups(g, c.ApplicationOrgs, applicationOrgPolicies, anchorPeersValue)
	return g
}

// anchorPeersValue is where an application org's peers are reached: its AnchorPeers,
// which configtxgen leaves out when there are none.
func anchorPeersValue(org Org) (string, []byte) {
	if len(org.AnchorPeers) == 0 {
		return "", nil
	}
	return anchorPeersKey, anchorPeers(org.AnchorPeers)
}

// addOrgGroups adds one group per org under parent (encoder.go NewOrdererOrgGroup,
// NewApplicationOrgGroup): the org's policies and MSP, and the value that says where
// its nodes are (Endpoints or AnchorPeers), which configtxgen leaves out when empty.
func addOrgGroups(parent *group, orgs []Org, policies func(mspID string) map[string]policy, where func(Org) (string, []byte)) {
	for _, org := range orgs {
		parent.groups[org.groupName()] = orgGroup(org, policies, where)
	}
}

// orgGroup is one org's group: its policies, its MSP and where its nodes are.
func orgGroup(org Org, policies func(mspID string) map[string]policy, where func(Org) (string, []byte)) *group {
	g := newGroup(adminsPolicy, policies(org.MSPID))
	g.values[mspKey] = mspConfig(org)
	if key, value := where(org); key != "" {
		g.values[key] = value
	}
	return g
}
