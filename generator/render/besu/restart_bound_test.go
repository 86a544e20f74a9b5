package besu

import (
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

type change struct {
	name  string
	apply func(n *model.Network) *model.Network
}

// changes is a catalogue of single changes to a network: every topology edit (add or
// remove a node of each role in each cluster, add a party), every network-wide setting
// that is not a node's own, and every edit confined to one party's nodes.
func changes(t *testing.T, network *model.Network) []change {
	var out []change
	for _, cname := range network.ClusterNames() {
		cluster := network.Clusters[cname]
		for _, role := range []string{model.RoleValidator, model.RoleMember, model.RoleRPC} {
			out = append(out, change{"add " + role + " to " + cname, func(n *model.Network) *model.Network {
				node := n.Nodes[n.NodesByParty()[cluster.Party][0].Name]
				node.Name = cluster.Party + "-new-" + role
				node.Role = role
				node.Cluster = cname
				node.Ports.P2P = 31000
				node.Endpoint.Port = 31000
				return withNode(t, n, node)
			}})
		}
	}
	for _, name := range network.NodeNames() {
		out = append(out, change{"remove " + name, func(n *model.Network) *model.Network {
			c := clone(n)
			delete(c.Nodes, name)
			delete(c.Identities, name)
			return c
		}})
		out = append(out, change{"new image for " + name, func(n *model.Network) *model.Network {
			c := clone(n)
			node := c.Nodes[name]
			node.Image = "docker.io/hyperledger/besu:26.2.0"
			c.Nodes[name] = node
			return c
		}})
	}
	out = append(out, voteChanges(network)...)
	for _, party := range network.PartyNames() {
		out = append(out, change{"upgrade every node of " + party, func(n *model.Network) *model.Network {
			c := clone(n)
			for name, node := range c.Nodes {
				if node.Party == party {
					node.Image = "docker.io/hyperledger/besu:26.2.0"
					node.Resources.Limits.Memory = "8Gi"
					c.Nodes[name] = node
				}
			}
			return c
		}})
	}
	out = append(out,
		change{"add a party", func(n *model.Network) *model.Network {
			c := clone(n)
			c.Parties["tailspin"] = model.Party{Name: "tailspin", Namespace: "tradenet-tailspin"}
			cluster := c.Clusters[c.ClusterNames()[0]]
			cluster.Name, cluster.Party, cluster.EgressCIDRs = "tailspin-aks", "tailspin", []string{"192.0.2.200/29"}
			c.Clusters["tailspin-aks"] = cluster
			node := c.Nodes[c.NodeNames()[0]]
			node.Name, node.Party, node.Cluster, node.Role = "tailspin-validator-1", "tailspin", "tailspin-aks", model.RoleValidator
			return withNode(t, c, node)
		}},
		change{"new egress CIDRs", func(n *model.Network) *model.Network {
			c := clone(n)
			name := c.ClusterNames()[0]
			cluster := c.Clusters[name]
			cluster.EgressCIDRs = append([]string{"192.0.2.128/25"}, cluster.EgressCIDRs...)
			c.Clusters[name] = cluster
			return c
		}},
		change{"new consensus timing", func(n *model.Network) *model.Network {
			c := clone(n)
			c.Consensus.BlockPeriodSeconds++
			c.Consensus.RequestTimeoutSeconds++
			return c
		}},
		change{"new EVM milestone", func(n *model.Network) *model.Network {
			c := clone(n)
			c.Genesis.EVM = model.EVMLondon
			return c
		}},
	)
	return out
}

// voteChanges are the validator changes a running network makes by vote: a node
// becomes a validator, a validator becomes a member.
func voteChanges(network *model.Network) []change {
	var out []change
	for _, name := range network.NodeNames() {
		role := map[string]string{model.RoleMember: model.RoleValidator, model.RoleValidator: model.RoleMember}[network.Nodes[name].Role]
		if role == "" {
			continue
		}
		out = append(out, change{"make " + name + " a " + role, func(n *model.Network) *model.Network {
			c := clone(n)
			node := c.Nodes[name]
			node.Role = role
			c.Nodes[name] = node
			return c
		}})
	}
	return out
}

// No single change restarts more than f validators network-wide: peer lists reach
// running nodes through peer-sync (no restart), network settings live in ConfigMaps,
// and an edit to one party's nodes restarts at most that party's validators — at most
// f in the reference network (partyValidatorLimit "faultTolerance").
func TestNoChangeRestartsMoreThanFValidators(t *testing.T) {
	network := reference(t)
	f := FaultTolerance(network.Validators())
	if f < 1 {
		t.Fatalf("reference network tolerates f = %d", f)
	}
	for _, c := range changes(t, network) {
		after := c.apply(network)
		restarted, err := RestartedValidators(network, after)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if limit := FaultTolerance(after.Validators()); len(restarted) > min(f, limit) {
			t.Errorf("%s restarts %d validators %v; at most f = %d may be down", c.name, len(restarted), restarted, min(f, limit))
		}
	}
}

// The bound can fail, and topology changes restart nothing: changing the image of every
// node at once restarts every validator (7 > f = 2), so such an upgrade is rolled one
// party at a time; adding a node restarts none.
func TestRestartCountIsMeasured(t *testing.T) {
	network := reference(t)
	all := clone(network)
	for name, node := range all.Nodes {
		node.Image = "docker.io/hyperledger/besu:26.2.0"
		all.Nodes[name] = node
	}
	restarted, err := RestartedValidators(network, all)
	if err != nil {
		t.Fatal(err)
	}
	if len(restarted) != network.Validators() {
		t.Errorf("network-wide image change restarts %d of %d validators", len(restarted), network.Validators())
	}
	for _, c := range changes(t, network)[:3] {
		if restarted, _ := RestartedValidators(network, c.apply(network)); len(restarted) != 0 {
			t.Errorf("%s restarts %v", c.name, restarted)
		}
	}
}

// A validator joins or leaves by vote without restarting any other validator: the
// votes reach each validator's sidecar through the validator-votes ConfigMap volume,
// which the kubelet refreshes in place, and no pod template carries the list or a
// checksum of it. Only the node whose role changes restarts (it gains or loses the
// sidecar and the consensus API).
func TestVoteChangesRestartNoOtherValidator(t *testing.T) {
	network := reference(t)
	for _, c := range voteChanges(network) {
		name := strings.Fields(c.name)[1]
		restarted, err := RestartedValidators(network, c.apply(network))
		if err != nil {
			t.Fatal(err)
		}
		if len(restarted) > 1 || (len(restarted) == 1 && restarted[0] != name) {
			t.Errorf("%s restarts %v", c.name, restarted)
		}
	}
	for name, r := range renderNodes(t, network) {
		for key, value := range r.sts.Spec.Template.Annotations {
			if strings.Contains(key, "checksum") || strings.Contains(value, VotesConfigMap) {
				t.Errorf("%s: pod template annotation %s=%s", name, key, value)
			}
		}
	}
}
