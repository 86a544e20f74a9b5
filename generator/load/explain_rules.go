package load

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
)

// The explainers of the schema's rules (network.checks and the derived node fields),
// one per rule; the mechanism that applies them is explain.go.

func explainRegion(n network, cluster string, i Issue) (Issue, bool) {
	region := n.str("clusters", cluster, "region")
	allowed := n.strings("compliance", "allowedRegions")
	return n.at(i, fmt.Sprintf("cluster %s: region %s is not in compliance.allowedRegions [%s]",
		cluster, region, strings.Join(allowed, ", ")), "clusters", cluster, "region"), region != ""
}

func explainRegistry(n network, node string, i Issue) (Issue, bool) {
	image := n.str("nodes", node, "image")
	registry, _, _ := strings.Cut(image, "/")
	allowed := n.strings("compliance", "allowedRegistries")
	return n.at(i, fmt.Sprintf("node %s: image registry %s is not in compliance.allowedRegistries [%s]",
		node, registry, strings.Join(allowed, ", ")), "nodes", node, "image"), image != ""
}

func explainDigest(n network, node string, i Issue) (Issue, bool) {
	image := n.str("nodes", node, "image")
	return n.at(i, fmt.Sprintf("node %s: image %s is not pinned by digest (compliance.requireDigest): use <image>@sha256:<64 hex>",
		node, image), "nodes", node, "image"), image != ""
}

func explainClusterParty(n network, cluster string, i Issue) (Issue, bool) {
	party := n.str("clusters", cluster, "party")
	if party == "" || slices.Contains(n.keys("parties"), party) {
		return i, false
	}
	return n.at(i, fmt.Sprintf("cluster %s: unknown party %s%s", cluster, party, suggest(party, n.keys("parties"))),
		"clusters", cluster, "party"), true
}

func explainIdentityNode(n network, node string, i Issue) (Issue, bool) {
	return n.at(i, fmt.Sprintf("identity %s: no node of that name%s (remove the identity with its node)",
		node, suggest(node, n.keys("nodes"))), "identities", node), true
}

// explainNodeParty covers a node naming a cluster that does not exist: the schema
// derives the node's party from clusters[cluster], so CUE blames the party.
func explainNodeParty(n network, node string, i Issue) (Issue, bool) {
	if !strings.HasSuffix(i.Path, ".party") || !strings.HasPrefix(i.Message, "undefined field") {
		return i, false
	}
	cluster := n.str("nodes", node, "cluster")
	clusters := n.keys("clusters")
	if cluster == "" || slices.Contains(clusters, cluster) {
		return i, false
	}
	return n.at(i, fmt.Sprintf("node %s: unknown cluster %s%s", node, cluster, suggest(cluster, clusters)),
		"nodes", node, "cluster"), true
}

func explainValidatorShare(n network, party string, i Issue) (Issue, bool) {
	validators := n.validatorsByParty()
	total := 0
	for _, v := range validators {
		total += v
	}
	limit, err := n.lookup("compliance", "maxValidatorSharePercent").Int64()
	if total == 0 || err != nil {
		return i, false
	}
	held := validators[party]
	return n.at(i, fmt.Sprintf("party %s would hold %d of %d validators (%d %%), limit %d %% (compliance.maxValidatorSharePercent)",
		party, held, total, held*100/total, limit), "parties", party), true
}

func explainValidatorCount(n network, _ string, i Issue) (Issue, bool) {
	total := 0
	for _, v := range n.validatorsByParty() {
		total += v
	}
	return n.at(i, fmt.Sprintf("the network has %d validators; QBFT and IBFT 2.0 need at least 4 (n = 3f+1 with f >= 1)", total), "nodes"), true
}

func explainNamespace(n network, namespace string, i Issue) (Issue, bool) {
	var owners []string
	for _, p := range n.keys("parties") {
		if n.str("parties", p, "namespace") == namespace {
			owners = append(owners, p)
		}
	}
	if len(owners) < 2 {
		return i, false
	}
	return n.at(i, fmt.Sprintf("parties %s share namespace %s: each party needs its own", strings.Join(owners, " and "), namespace),
		"parties", owners[1], "namespace"), true
}

var conflicting = regexp.MustCompile(`^conflicting values "([^"]+)" and "([^"]+)"`)

// explainSameCluster covers two cluster entries that name one real cluster.
func explainSameCluster(what string) explainer {
	return func(n network, key string, i Issue) (Issue, bool) {
		m := conflicting.FindStringSubmatch(i.Message)
		if m == nil {
			return i, false
		}
		a, b := min(m[1], m[2]), max(m[1], m[2])
		return n.at(i, fmt.Sprintf("clusters %s and %s are one cluster, "+what+": declare it once", a, b, key), "clusters", b), true
	}
}

// explainExposedEndpoint covers two nodes of one cluster at the same host and port.
func explainExposedEndpoint(n network, cluster string, i Issue) (Issue, bool) {
	selectors := cue.ParsePath(i.Path).Selectors()
	if len(selectors) != 5 {
		return i, false
	}
	endpoint := selectors[4].Unquoted()
	var nodes []string
	for _, node := range n.keys("nodes") {
		host, port := n.str("nodes", node, "endpoint", "host"), n.lookup("nodes", node, "endpoint", "port")
		p, _ := port.Int64()
		if n.str("nodes", node, "cluster") == cluster && fmt.Sprintf("%s:%d", host, p) == endpoint {
			nodes = append(nodes, node)
		}
	}
	if len(nodes) < 2 {
		return i, false
	}
	return n.at(i, fmt.Sprintf("nodes %s are all exposed at %s in cluster %s (RLPx has no SNI): give each its own ports.p2p",
		strings.Join(nodes, ", "), endpoint, cluster), "nodes", nodes[len(nodes)-1], "ports", "p2p"), true
}

// followsUnknownCluster reports an error CUE raises only because a node names a
// cluster that does not exist: the node's derived fields (endpoint, storage defaults)
// and every rule that looks that cluster up. The one line kept is the node's party,
// which explainNodeParty restates as the unknown cluster.
func (n network) followsUnknownCluster(i Issue) bool {
	unknown := map[string]bool{}
	clusters := n.keys("clusters")
	for _, node := range n.keys("nodes") {
		if c := n.str("nodes", node, "cluster"); c != "" && !slices.Contains(clusters, c) {
			unknown[c] = true
		}
	}
	if len(unknown) == 0 {
		return false
	}
	var labels []string
	for _, s := range cue.ParsePath(i.Path).Selectors() {
		labels = append(labels, s.Unquoted())
	}
	if len(labels) >= 3 && labels[1] == "nodes" && unknown[n.str("nodes", labels[2], "cluster")] {
		return !(len(labels) == 4 && labels[3] == "party")
	}
	for c := range unknown {
		if slices.Contains(labels, c) || strings.Contains(i.Message, strconv.Quote(c)) {
			return true
		}
	}
	return false
}

func explainCredentials(n network, cluster string, i Issue) (Issue, bool) {
	kind, url := n.str("clusters", cluster, "gitops", "credentials", "kind"), n.str("repository", "url")
	return n.at(i, fmt.Sprintf("cluster %s: gitops.credentials.kind %s cannot read repository.url %s: ssh needs an ssh:// URL, https an https:// one",
		cluster, kind, url), "clusters", cluster, "gitops", "credentials", "kind"), kind != ""
}

func explainReviewersNamed(n network, party string, i Issue) (Issue, bool) {
	return n.at(i, fmt.Sprintf("party %s names no reviewers: in a network of two parties or more each party reviews its own directories and every shared change (parties.%s.reviewers)",
		party, party), "parties", party), true
}

func explainNodePorts(n network, node string, i Issue) (Issue, bool) {
	m := conflicting.FindStringSubmatch(i.Message)
	selectors := cue.ParsePath(i.Path).Selectors()
	if m == nil || len(selectors) != 5 {
		return i, false
	}
	a, b := min(m[1], m[2]), max(m[1], m[2])
	return n.at(i, fmt.Sprintf("node %s: ports.%s and ports.%s are both %s: each port of a node needs its own number",
		node, a, b, selectors[4].Unquoted()), "nodes", node, "ports", b), true
}

// explainNamespaceOwner covers a party namespace that is reserved, a GitOps namespace or
// another party's: the check maps each namespace to a description of its one owner.
func explainNamespaceOwner(n network, namespace string, i Issue) (Issue, bool) {
	m := conflicting.FindStringSubmatch(i.Message)
	if m == nil {
		return i, false
	}
	var party string
	for _, p := range n.keys("parties") {
		if n.str("parties", p, "namespace") == namespace {
			party = p
		}
	}
	if party == "" {
		return i, false
	}
	owner := otherThan(m, "ledger namespace of party "+party)
	switch owner {
	case "reserved namespace":
		owner = "reserved namespace of Kubernetes, Flux, Arc or Kyverno"
	case "system namespace":
		owner = "namespace a common cluster add-on installs into (#SystemNamespaces)"
	case "gateway namespace":
		owner = "gateway namespace of a cluster's exposure (its pods are the only source admitted to the p2p ports)"
	}
	return n.at(i, fmt.Sprintf("party %s: namespace %s is already the %s: choose a namespace no one else uses",
		party, namespace, owner), "parties", party, "namespace"), true
}

func explainRecipientOwner(n network, recipient string, i Issue) (Issue, bool) {
	m := conflicting.FindStringSubmatch(i.Message)
	if m == nil {
		return i, false
	}
	a, b := min(m[1], m[2]), max(m[1], m[2])
	return n.at(i, fmt.Sprintf("%s and %s both list recipient %s: each party's secrets must be readable by that party alone",
		a, b, recipient), "parties", strings.TrimPrefix(b, "party "), "recipients"), true
}

// otherThan returns the one of a conflict's two values that is not mine.
func otherThan(m []string, mine string) string {
	if m[1] == mine {
		return m[2]
	}
	return m[1]
}

func explainEgress(n network, cluster string, i Issue) (Issue, bool) {
	return n.at(i, fmt.Sprintf("cluster %s: egressCIDRs is empty: in a network of several clusters each cluster declares the addresses its p2p connections leave from (NAT gateway, node public IPs), the only sources the others admit", cluster),
		"clusters", cluster), true
}

func explainExposureNone(n network, node string, i Issue) (Issue, bool) {
	cluster := n.str("nodes", node, "cluster")
	return n.at(i, fmt.Sprintf("node %s: cluster %s has exposure none, so nodes in the network's other clusters cannot reach it: expose it, or run the whole network in one cluster", node, cluster),
		"clusters", cluster, "exposure"), cluster != ""
}

func explainFaultTolerance(n network, party string, i Issue) (Issue, bool) {
	validators := n.validatorsByParty()
	total := 0
	for _, v := range validators {
		total += v
	}
	return n.at(i, fmt.Sprintf("party %s would hold %d of %d validators, more than f = %d (compliance.partyValidatorLimit faultTolerance: any one party down must leave a quorum)",
		party, validators[party], total, (total-1)/3), "parties", party), total > 0
}

func (n network) validatorsByParty() map[string]int {
	out := map[string]int{}
	for _, node := range n.keys("nodes") {
		if n.str("nodes", node, "role") == "validator" {
			cluster := n.str("nodes", node, "cluster")
			out[n.str("clusters", cluster, "party")]++
		}
	}
	return out
}

// suggest names the closest known name when it is a likely typo of got.
func suggest(got string, known []string) string {
	best, bestDistance := "", len(got)/3+1
	for _, k := range known {
		if d := editDistance(got, k); d < bestDistance || (d == bestDistance && k < best) {
			best, bestDistance = k, d
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}

// editDistance is the optimal string alignment distance between a and b: Levenshtein's
// insertions, deletions and substitutions, and a swap of two neighbours counted as one
// edit, the commonest typo ("imgae").
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
