package load

import (
	"fmt"
	"regexp"
	"strings"

	"cuelang.org/go/cue"
)

// Explainers of the Fabric rules (cue/schema/fabric.cue). The channel rules are keyed
// by channel (network.checks.raftConsenters.<channel>), so key is a channel name; the
// chaincode rules by "<channel>/<chaincode>".

func explainRaftConsenters(n network, channel string, i Issue) (Issue, bool) {
	consenters := n.strings("fabric", "channels", channel, "consenters")
	return n.at(i, fmt.Sprintf("channel %s has %d consenters; Raft needs at least 3, so that one can be down and a majority still orders",
		channel, len(consenters)), "fabric", "channels", channel, "consenters"), consenters != nil
}

func explainBFTConsenters(n network, channel string, i Issue) (Issue, bool) {
	consenters := n.strings("fabric", "channels", channel, "consenters")
	return n.at(i, fmt.Sprintf("channel %s has %d consenters; SmartBFT needs at least 4 (n = 3f+1 with f >= 1)",
		channel, len(consenters)), "fabric", "channels", channel, "consenters"), consenters != nil
}

func explainBFTConsentersPerParty(n network, channel string, i Issue) (Issue, bool) {
	party, ok := lastLabel(i.Path, 5)
	consenters := n.strings("fabric", "channels", channel, "consenters")
	if !ok || len(consenters) == 0 {
		return i, false
	}
	held := 0
	for _, c := range consenters {
		if n.str("clusters", n.str("nodes", c, "cluster"), "party") == party {
			held++
		}
	}
	return n.at(i, fmt.Sprintf("channel %s: party %s would hold %d of %d consenters, more than f = %d (SmartBFT: any one party down must leave a quorum, and no party may outvote the rest)",
		channel, party, held, len(consenters), (len(consenters)-1)/3), "fabric", "channels", channel, "consenters"), true
}

func explainSmartBFTVersion(n network, _ string, i Issue) (Issue, bool) {
	return n.at(i, fmt.Sprintf(`consensus smartbft needs Fabric 3 (channel capability V3_0), but fabric.version is %q: set fabric.version: "3.1", or use etcdraft`,
		n.str("fabric", "version")), "fabric", "version"), true
}

func explainMSPIDUnique(n network, mspID string, i Issue) (Issue, bool) {
	m := conflicting.FindStringSubmatch(i.Message)
	if m == nil {
		return i, false
	}
	a, b := min(m[1], m[2]), max(m[1], m[2])
	return n.at(i, fmt.Sprintf("parties %s and %s both have mspId %s: each organisation needs its own, or either could sign as the other",
		a, b, mspID), "parties", b, "mspId"), true
}

func explainMSPParty(n network, party string, i Issue) (Issue, bool) {
	return n.at(i, fmt.Sprintf("msp %s: no party of that name%s: MSP material belongs to a declared party (remove it with its party)",
		party, suggest(party, n.keys("parties"))), "msp", party), true
}

func explainChannelMember(n network, channel string, i Issue) (Issue, bool) {
	member, ok := lastLabel(i.Path, 5)
	if !ok {
		return i, false
	}
	return n.at(i, fmt.Sprintf("channel %s: member %s is not a party of the network%s",
		channel, member, suggest(member, n.keys("parties"))), "fabric", "channels", channel, "members"), true
}

func explainMemberHasPeer(n network, channel string, i Issue) (Issue, bool) {
	member, ok := lastLabel(i.Path, 5)
	if !ok {
		return i, false
	}
	return n.at(i, fmt.Sprintf("channel %s: member %s runs no peer, and a member's peers are what join the channel: add a node with role peer to a cluster of %s, or remove %s from members",
		channel, member, member, member), "fabric", "channels", channel, "members"), true
}

func explainConsenterIsOrderer(n network, channel string, i Issue) (Issue, bool) {
	node, ok := lastLabel(i.Path, 5)
	if !ok {
		return i, false
	}
	path := []string{"fabric", "channels", channel, "consenters"}
	if role := n.str("nodes", node, "role"); role != "" {
		return n.at(i, fmt.Sprintf("channel %s: consenter %s is a %s; consenters are orderers", channel, node, role), path...), true
	}
	var orderers []string
	for _, k := range n.keys("nodes") {
		if n.str("nodes", k, "role") == "orderer" {
			orderers = append(orderers, k)
		}
	}
	return n.at(i, fmt.Sprintf("channel %s: consenter %s is no node of the network%s", channel, node, suggest(node, orderers)), path...), true
}

func explainCommitterIsMember(n network, key string, i Issue) (Issue, bool) {
	channel, chaincode, ok := strings.Cut(key, "/")
	committer := n.str("fabric", "channels", channel, "chaincodes", chaincode, "committer")
	if !ok || committer == "" {
		return i, false
	}
	members := n.strings("fabric", "channels", channel, "members")
	return n.at(i, fmt.Sprintf("channel %s, chaincode %s: committer %s is not a member of the channel [%s]: the committer approves the definition too",
		channel, chaincode, committer, strings.Join(members, ", ")), "fabric", "channels", channel, "chaincodes", chaincode, "committer"), true
}

func explainChaincodeRegistry(n network, key string, i Issue) (Issue, bool) {
	channel, chaincode, ok := strings.Cut(key, "/")
	image := n.str("fabric", "channels", channel, "chaincodes", chaincode, "image")
	if !ok || image == "" {
		return i, false
	}
	return n.at(i, fmt.Sprintf("channel %s, chaincode %s: %s", channel, chaincode, registryNotAllowed(n, image)),
		"fabric", "channels", channel, "chaincodes", chaincode, "image"), true
}

func explainFabricImageRegistry(n network, image string, i Issue) (Issue, bool) {
	ref := n.str("fabric", "images", image)
	return n.at(i, registryNotAllowed(n, ref), "fabric", "images", image), ref != ""
}

func registryNotAllowed(n network, image string) string {
	registry, _, _ := strings.Cut(image, "/")
	return fmt.Sprintf("image registry %s is not in compliance.allowedRegistries [%s]",
		registry, strings.Join(n.strings("compliance", "allowedRegistries"), ", "))
}

var uniqueItems = regexp.MustCompile(`does not satisfy list\.UniqueItems\): equal value \("([^"]*)"\)`)

// explainChannel covers a channel's own fields: a member or consenter listed twice.
func explainChannel(n network, channel string, i Issue) (Issue, bool) {
	field, _ := lastLabel(i.Path, 5)
	if m := uniqueItems.FindStringSubmatch(i.Message); m != nil && (field == "members" || field == "consenters") {
		return n.at(i, fmt.Sprintf("channel %s: %s lists %s twice", channel, field, m[1]),
			"fabric", "channels", channel, field), true
	}
	return i, false
}

// explainChainID covers a chain id on a Fabric network, whose schema has none.
func explainChainID(n network, _ string, i Issue) (Issue, bool) {
	if n.str("platform") != "fabric" || !strings.Contains(i.Message, "field not allowed") {
		return i, false
	}
	return n.at(i, "chainId is a Besu setting: a Fabric network has none (its channels are named in fabric.channels): remove it", "chainId"), true
}

// followsDuplicate reports the second error CUE raises for a channel's members or
// consenters listed twice: the list fails its default ([every party], [every
// orderer]) by length as well as the user's value by uniqueness. The uniqueness
// error, which explainChannel restates, is the one kept.
func followsDuplicate(i Issue, all []Issue) bool {
	if !strings.HasPrefix(i.Path, "network.fabric.channels.") || !strings.HasPrefix(i.Message, "incompatible list lengths") {
		return false
	}
	for _, other := range all {
		if other.Path == i.Path && uniqueItems.MatchString(other.Message) {
			return true
		}
	}
	return false
}

// lastLabel returns the last label of a CUE path of length elements (x of
// network.checks.<rule>.<channel>.<x>: length 5), or false for a path of another length.
func lastLabel(path string, length int) (string, bool) {
	selectors := cue.ParsePath(path).Selectors()
	if len(selectors) != length {
		return "", false
	}
	return selectors[length-1].Unquoted(), true
}

// explainChaincodeNameOnce names both chaincodes that render to one name: CUE reports
// the two descriptions as conflicting values.
func explainChaincodeNameOnce(n network, name string, i Issue) (Issue, bool) {
	claimants := quoted.FindAllString(i.Message, -1)
	if len(claimants) != 2 {
		return i, false
	}
	return n.at(i, fmt.Sprintf("%s and %s both render as %s (their package, server, Service and Jobs): rename one of the two",
		strings.Trim(claimants[0], `"`), strings.Trim(claimants[1], `"`), name), "fabric", "channels"), true
}

var quoted = regexp.MustCompile(`"[^"]*"`)
