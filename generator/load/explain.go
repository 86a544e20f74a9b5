package load

import (
	"os"
	"regexp"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/token"
)

// The schema's cross-field rules live in CUE, so that plain `cue vet` enforces them,
// as lookups and bounds in network.checks. CUE reports a broken rule in those terms
// ("network.checks.regionAllowed.x: undefined field: eastus"); explain restates it in
// the user's terms, from the network's own values, at the line the user wrote.

// explainer rewrites the issue raised at one kind of path; key is the path element
// after the rule's prefix (a cluster, node or party name).
type explainer func(n network, key string, i Issue) (Issue, bool)

var explainers = map[string]explainer{
	"network.checks.regionAllowed.":                  explainRegion,
	"network.checks.imageRegistryAllowed.":           explainRegistry,
	"network.checks.imageDigest.":                    explainDigest,
	"network.checks.clusterParty.":                   explainClusterParty,
	"network.checks.identityNode.":                   explainIdentityNode,
	"network.checks.validatorsPerParty.":             explainValidatorShare,
	"network.checks.validatorCount":                  explainValidatorCount,
	"network.checks.namespaceUnique.":                explainNamespace,
	"network.checks.exposedEndpoint.":                explainExposedEndpoint,
	"network.checks.arcClusterDistinct.":             explainSameCluster("the same Arc cluster (subscription/resourceGroup/clusterName %s)"),
	"network.checks.kubeContextDistinct.":            explainSameCluster("read through the same kubeContext %s"),
	"network.nodes.":                                 explainNodeParty,
	"network.checks.egressDeclared.":                 explainEgress,
	"network.checks.credentialsMatchURL.":            explainCredentials,
	"network.checks.reviewersNamed.":                 explainReviewersNamed,
	"network.checks.nodePortsDistinct.":              explainNodePorts,
	"network.checks.namespaceOwner.":                 explainNamespaceOwner,
	"network.checks.gatewayNamespaceOwner.":          explainNamespaceOwner,
	"network.checks.recipientOwner.":                 explainRecipientOwner,
	"network.checks.exposureNoneNeedsOneCluster.":    explainExposureNone,
	"network.checks.validatorsWithinFaultTolerance.": explainFaultTolerance,
	"network.checks.oneValidatorChange":              explainOneValidatorChange,
	"network.checks.onChainValidatorNode.":           explainOnChainValidatorNode,
	"network.checks.transitionScheduled":             explainTransitionScheduled,
	"network.checks.transitionValidators":            explainTransitionValidators,
	"network.checks.transitionsAscend":               explainTransitionsAscend,
	"network.checks.restartHeldNode.":                explainRestartHeldNode,
	"network.checks.restartHeldBehind.":              explainRestartHeldBehind,
	"network.checks.transitionBlockOnce.":            explainTransitionBlockOnce,
	"network.checks.transitionAddressesAscend.":      explainTransitionValidatorsAscend,
	"network.checks.transitionAddressOnce.":          explainTransitionValidatorOnce,
	"network.genesis.frozen.":                        explainFrozenGenesis,
	"network.chainId":                                explainChainID,
	"network.checks.smartBFTNeedsFabric3":            explainSmartBFTVersion,
	"network.checks.mspIdUnique.":                    explainMSPIDUnique,
	"network.checks.mspParty.":                       explainMSPParty,
	"network.checks.channelMember.":                  explainChannelMember,
	"network.checks.memberHasPeer.":                  explainMemberHasPeer,
	"network.checks.consenterIsOrderer.":             explainConsenterIsOrderer,
	"network.checks.raftConsenters.":                 explainRaftConsenters,
	"network.checks.bftConsenters.":                  explainBFTConsenters,
	"network.checks.bftConsentersPerParty.":          explainBFTConsentersPerParty,
	"network.checks.committerIsMember.":              explainCommitterIsMember,
	"network.checks.chaincodeNameOnce.":              explainChaincodeNameOnce,
	"network.checks.chaincodeImageRegistryAllowed.":  explainChaincodeRegistry,
	"network.checks.fabricImageRegistryAllowed.":     explainFabricImageRegistry,
	"network.fabric.channels.":                       explainChannel,
}

// network reads values of a network that failed validation: lookups of the parts
// that are concrete, and the user's position of any of them.
type network struct{ root cue.Value }

func (n network) lookup(path ...string) cue.Value {
	selectors := []cue.Selector{cue.Str(NetworkField)}
	for _, p := range path {
		selectors = append(selectors, cue.Str(p))
	}
	return n.root.LookupPath(cue.MakePath(selectors...))
}

func (n network) str(path ...string) string {
	s, _ := n.lookup(path...).String()
	return s
}

func (n network) strings(path ...string) []string {
	var out []string
	_ = n.lookup(path...).Decode(&out) // as string above: a value that is no list of strings gives none
	return out
}

func (n network) keys(path ...string) []string {
	var keys []string
	iter, err := n.lookup(path...).Fields()
	if err != nil {
		return nil
	}
	for iter.Next() {
		keys = append(keys, iter.Selector().Unquoted())
	}
	return keys
}

// at moves the issue to where the value at path stands in the user's files, with the
// path a user would write.
func (n network) at(i Issue, message string, path ...string) Issue {
	i.Path = "network." + strings.Join(quoteLabels(path), ".")
	i.Message = message
	if pos, ok := n.userPosition(cue.ParsePath(i.Path).Selectors()); ok {
		i.Pos = pos
	}
	return i
}

// relocate points an issue that CUE placed in the schema (a rule's own line) at the
// user's line instead: the nearest value on the issue's path, or above it, that the
// user's files define. Values are unifications of the user's struct with the schema's,
// so the user's position is one of the conjuncts.
func (n network) relocate(i Issue) Issue {
	if file, _, _ := strings.Cut(i.Pos, ":"); file == "" || !inSchema(file) {
		return i
	}
	if pos, ok := n.userPosition(cue.ParsePath(i.Path).Selectors()); ok {
		i.Pos = pos
	}
	return i
}

// userPosition is file:line:col of the nearest value on the path, or above it, that
// the user's files define.
func (n network) userPosition(selectors []cue.Selector) (string, bool) {
	cwd, _ := os.Getwd()
	for k := len(selectors); k > 0; k-- {
		if pos, ok := userPos(n.root.LookupPath(cue.MakePath(selectors[:k]...))); ok {
			return position([]token.Pos{pos}, cwd), true
		}
	}
	return "", false
}

func userPos(v cue.Value) (token.Pos, bool) {
	if !v.Exists() {
		return token.NoPos, false
	}
	return userPosIn(v, 3)
}

// userPosIn searches v and the operands of its expression (a unification, a
// disjunction with a default), depth levels down, for a position in the user's files.
func userPosIn(v cue.Value, depth int) (token.Pos, bool) {
	if pos := v.Pos(); pos.IsValid() && !inSchema(pos.Filename()) {
		return pos, true
	}
	if depth == 0 {
		return token.NoPos, false
	}
	_, operands := v.Expr()
	for _, o := range operands {
		if pos, ok := userPosIn(o, depth-1); ok {
			return pos, true
		}
	}
	return token.NoPos, false
}

// restatements rewrite messages of the schema's generic constraints, wherever they
// fail, into what the user must change: a pattern said in words. Each bound is the
// schema's own spelling (restatements_test.go keeps them in step with the schema).
var restatements = []struct{ cue, user string }{
	{`(out of bound =~"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")`, "(a name must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit)"},
	{"incompatible list lengths (0 and 1)", "must list at least one value"},
	{`(out of bound =~"(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$")`, "(not pinned: name a version tag or an @sha256 digest)"},
	{`(out of bound =~"^(localhost|[a-z0-9-]+(\\.[a-z0-9-]+)+)(:[0-9]+)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+)?(@sha256:[a-f0-9]{64})?$")`, "(not a fully qualified image: registry/repository:tag or @sha256:digest, e.g. docker.io/hyperledger/besu:24.12.2)"},
	{`(out of bound =~"^(@[A-Za-z0-9][-A-Za-z0-9_.]*(/[A-Za-z0-9][-A-Za-z0-9_.]*)?|[^@\\s#]+@[^@\\s#]+\\.[^@\\s#]+)$")`, "(a reviewer is @user, @org/team or an e-mail address, without spaces or '#')"},
	{`(out of bound =~"^[^@\\s]+@[^@\\s]+$")`, "(a contact is an e-mail address, e.g. ops@example.com)"},
	{`(out of bound =~"^(https://|ssh://)[^\\s]+$")`, "(a repository URL starts with https:// or ssh:// and has no spaces)"},
	{`(out of bound =~"^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")`, "(a Kubernetes quantity: a number and an optional unit, e.g. 500m, 4Gi)"},
	{`(out of bound =~"^0x[0-9a-f]{40}$")`, "(an address is 0x and 40 lowercase hex digits)"},
	{`(out of bound =~"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")`, "(a subscription ID is a lowercase UUID, as az account show prints it, e.g. 3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b)"},
	{`(out of bound =~"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")`, "(a DNS name: lowercase labels of letters, digits and '-', separated by '.', e.g. ledger.example.com)"},
	{`(out of bound =~"^([0-9]+(s|m|h))+$")`, "(a duration such as 30s, 5m or 1h30m)"},
	{`(out of bound =~"^age1[02-9ac-hj-np-z]{58}$")`, "(not an age recipient: age1 and 58 more characters, as age-keygen -y prints)"},
	{`(out of bound =~"^([0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}|[0-9a-fA-F:]+/[0-9]{1,3})$")`, "(not a CIDR: an address and a prefix length, e.g. 198.51.100.0/28)"},
	{`(out of bound !="0.0.0.0/0")`, "(the whole IPv4 internet: every party's p2p port would admit it; set allowWorldOpen: true on the cluster if that is meant)"},
	{`(out of bound !="::/0")`, "(the whole IPv6 internet: every party's p2p port would admit it; set allowWorldOpen: true on the cluster if that is meant)"},
	{`(out of bound !~":latest$")`, `(not pinned: "latest" moves; name a version tag or an @sha256 digest)`},
	{`(out of bound =~"^[a-z][a-z0-9.-]*$")`, "(a channel name must be lowercase letters, digits, '.' and '-', starting with a letter)"},
	{`(must be one of "orderer", "peer")`, `(a Fabric node is an "orderer" or a "peer")`},
}

var maxRunes = regexp.MustCompile(`\(does not satisfy strings\.MaxRunes\((\d+)\)\)`)

func restate(message string) string {
	for _, r := range restatements {
		message = strings.ReplaceAll(message, r.cue, r.user)
	}
	return maxRunes.ReplaceAllString(message, "(longer than $1 characters)")
}

func quoteLabels(path []string) []string {
	out := make([]string, len(path))
	for k, p := range path {
		out[k] = cue.Str(p).String()
	}
	return out
}

// explain restates the issues of err (an *Error) that an explainer knows, dropping
// the duplicates that restating can make.
func explain(root cue.Value, err error) error {
	e, ok := err.(*Error) //nolint:errorlint // issues returns the *Error itself; any other error is returned as it is
	if !ok {
		return err
	}
	n := network{root}
	seen := map[string]bool{}
	out := make([]Issue, 0, len(e.Issues))
	emit := func(i Issue) {
		i = n.relocate(i)
		i.Message = restate(i.Message)
		if !seen[i.String()] {
			seen[i.String()] = true
			out = append(out, i)
		}
	}
	// The rules that read a struct with a missing field fail only because of it.
	incomplete := map[string]bool{}
	for _, i := range e.Issues {
		if _, ok := explainMissing(n, i); ok {
			incomplete[entityOf(i.Path)] = true
		}
	}
	listed := map[string]bool{}
	for _, i := range e.Issues {
		if n.followsUnknownCluster(i) || followsDuplicate(i, e.Issues) || n.followsIncomplete(i, incomplete) {
			continue
		}
		if explained, ok := n.explainRule(i); ok {
			emit(explained)
			continue
		}
		// A list's elements are reported together (CUE stops at the first bad one), each
		// explained on its own; a validator's refusal of one element is one of them.
		elements := n.listIssues(i)
		if explained, ok := explainMistake(n, i); ok && (len(elements) == 0 || i.format != validatorFormat) {
			emit(explained)
			continue
		}
		if len(elements) > 0 {
			list := i.Path[:strings.LastIndex(i.Path, ".")]
			if !listed[list] {
				listed[list] = true
				for _, el := range elements {
					if explained, ok := explainMistake(n, el); ok {
						el = explained
					}
					emit(el)
				}
			}
			continue
		}
		emit(i)
	}
	return &Error{Issues: out}
}

// explainRule restates an issue raised at one of the schema's rules, if an explainer
// knows the rule.
func (n network) explainRule(i Issue) (Issue, bool) {
	for prefix, fn := range explainers {
		if !strings.HasPrefix(i.Path, prefix) {
			continue
		}
		key, _ := strconv.Unquote(firstLabel(strings.TrimPrefix(i.Path, prefix)))
		return fn(n, key, i)
	}
	return i, false
}

// entityOf is the name of the party, cluster or node a path is in
// (network.nodes."a-1".image: a-1), or "".
func entityOf(path string) string {
	sel := cue.ParsePath(path).Selectors()
	if len(sel) < 3 {
		return ""
	}
	return sel[2].Unquoted()
}

// followsIncomplete reports an error a rule raises only because the entity it reads
// lacks a required field, already reported: the rule's key is that entity
// (network.checks.imageRegistryAllowed."a-1" for node a-1 without an image), or a
// value the schema computes from others. Rules keyed otherwise (by party) are kept;
// they name their own entity.
func (n network) followsIncomplete(i Issue, incomplete map[string]bool) bool {
	if len(incomplete) == 0 || !i.incomplete {
		return false // a rule broken outright (a bound, a conflict) is a mistake of its own
	}
	sel := selectorsOf(i)
	if len(sel) > 0 && interpolated(n.root.LookupPath(cue.MakePath(sel...)), 3) {
		return true // a value built from others (a party's namespace from the network's name)
	}
	if len(sel) < 3 || sel[1].Unquoted() != "checks" {
		return false
	}
	// A rule over the whole network (checks.validatorCount) reads every entity.
	return len(sel) == 3 || incomplete[sel[3].Unquoted()]
}

// firstLabel returns the first path element of a CUE path, quoted.
func firstLabel(path string) string {
	if strings.HasPrefix(path, `"`) {
		if end := strings.Index(path[1:], `"`); end >= 0 {
			return path[:end+2]
		}
	}
	label, _, _ := strings.Cut(path, ".")
	return strconv.Quote(label)
}
