package monitoring_test

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	batchv1 "k8s.io/api/batch/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/peering"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/lifecycle"
	"github.com/flux-ledger/flux-ledger/generator/render/monitoring"
)

// launchedWithAVote is the Besu reference network launched, with every validator on
// chain but woodgrove-validator-1: the repository puts "add woodgrove-validator-1"
// to the vote.
func launchedWithAVote(t *testing.T) *model.Network {
	t.Helper()
	besu, _ := networks(t)
	besu.Launched = true
	besu.Governance.Method = model.MethodVote
	besu.Governance.OnChain = besu.DesiredValidators()
	delete(besu.Governance.OnChain, "woodgrove-validator-1")
	return besu
}

func contosoRules(t *testing.T, n *model.Network) *monitoringv1.PrometheusRule {
	t.Helper()
	var nodes []model.Node
	for _, name := range n.NodeNames() {
		if node := n.Nodes[name]; node.Cluster == "contoso-aks-weu" {
			nodes = append(nodes, node)
		}
	}
	r, err := monitoring.PrometheusRule(n, peering.Of(n), n.Parties["contoso"], n.Clusters["contoso-aks-weu"], nodes)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ruleNamed(r *monitoringv1.PrometheusRule, alert string) *monitoringv1.Rule {
	for _, g := range r.Spec.Groups {
		for i := range g.Rules {
			if g.Rules[i].Alert == alert {
				return &g.Rules[i]
			}
		}
	}
	return nil
}

// While the repository puts a validator change to the vote, the alert is rendered
// and fires after an hour over the party's scraped nodes; it stays silent before
// and where no node of the party is scraped (testdata/besu_vote_alerts.test.yaml).
// It reads only tabled metrics.
func TestValidatorVoteStuckAlertFiresWhileAVoteIsPending(t *testing.T) {
	n := launchedWithAVote(t)
	r := contosoRules(t, n)
	rule := ruleNamed(r, "LedgerValidatorVoteStuck")
	if rule == nil {
		t.Fatal("no LedgerValidatorVoteStuck while a vote is pending")
	}
	for _, name := range metricNames(rule.Expr.String()) {
		if !tabled(name) {
			t.Errorf("LedgerValidatorVoteStuck reads %s, which is not in monitoring.Metrics", name)
		}
	}
	promtoolTestRule(t, r, "besu_vote_alerts.test.yaml")
}

// No vote, no alert: before launch, with the chain's validators as desired, and when
// the change goes by transition.
func TestValidatorVoteStuckAlertIsAbsentWithoutAVote(t *testing.T) {
	besu, _ := networks(t)
	if ruleNamed(contosoRules(t, besu), "LedgerValidatorVoteStuck") != nil {
		t.Error("rendered before launch")
	}
	n := launchedWithAVote(t)
	n.Governance.OnChain = n.DesiredValidators()
	if ruleNamed(contosoRules(t, n), "LedgerValidatorVoteStuck") != nil {
		t.Error("rendered with nothing pending")
	}
	n = launchedWithAVote(t)
	n.Governance.Method = model.MethodTransition
	if ruleNamed(contosoRules(t, n), "LedgerValidatorVoteStuck") != nil {
		t.Error("rendered for a change by transition")
	}
}

// The stuck channel update alert selects the Jobs lifecycle renders to submit a
// channel update, and none of the other lifecycle Jobs of the Fabric reference
// network (joins, chaincode); Prometheus anchors a =~ regular expression at both ends.
func TestChannelUpdateStuckAlertSelectsTheSubmitJobs(t *testing.T) {
	_, fabric := networks(t)
	rule := ruleNamed(contosoRules(t, fabric), "FabricChannelUpdateStuck")
	if rule == nil {
		t.Fatal("no FabricChannelUpdateStuck for a cluster with a peer")
	}
	m := regexp.MustCompile(`job_name=~"([^"]+)"`).FindStringSubmatch(rule.Expr.String())
	if m == nil {
		t.Fatalf("no job_name matcher in %s", rule.Expr.String())
	}
	submit := regexp.MustCompile("^(?:" + m[1] + ")$")
	for _, name := range metricNames(rule.Expr.String()) {
		if !tabled(name) {
			t.Errorf("FabricChannelUpdateStuck reads %s, which is not in monitoring.Metrics", name)
		}
	}

	party := fabric.Parties["contoso"]
	nodes := []model.Node{fabric.Nodes["contoso-peer-1"], fabric.Nodes["contoso-orderer-1"]}
	for _, channel := range []string{"trade", strings.Repeat("long-channel-name-", 4)} {
		ch := fabric.Fabric.Channels["trade"]
		fabric.Fabric.Channels[channel] = ch
		files, err := lifecycle.SubmitObjects(fabric, party, nodes, lifecycle.ChannelSubmission{
			Channel: channel, Sequence: 1, Change: "add", Organisation: "NorthwindMSP", Envelope: []byte("envelope")})
		if err != nil {
			t.Fatal(err)
		}
		jobs := 0
		for _, obj := range files {
			if job, ok := obj.(*batchv1.Job); ok {
				jobs++
				if !submit.MatchString(job.Name) {
					t.Errorf("channel %s: the submit Job %s is not selected by %s", channel, job.Name, m[1])
				}
			}
		}
		if jobs != 1 {
			t.Errorf("channel %s: %d submit Jobs rendered", channel, jobs)
		}
	}

	// The party's other lifecycle Jobs, with the channel launched (a genesis block:
	// any bytes, which the join Jobs carry).
	ch := fabric.Fabric.Channels["trade"]
	ch.GenesisBlock = base64.StdEncoding.EncodeToString([]byte("genesis block"))
	fabric.Fabric.Channels["trade"] = ch
	delete(fabric.Fabric.Channels, strings.Repeat("long-channel-name-", 4))
	files, err := lifecycle.Objects(fabric, party, nodes)
	if err != nil {
		t.Fatal(err)
	}
	var others []string
	for _, obj := range files {
		if job, ok := obj.(*batchv1.Job); ok {
			others = append(others, job.Name)
			if submit.MatchString(job.Name) {
				t.Errorf("Job %s is not a submit Job but is selected", job.Name)
			}
		}
	}
	if len(others) < 2 {
		t.Errorf("the Fabric reference network renders too few lifecycle Jobs to tell apart: %q", others)
	}
	t.Logf("other lifecycle Jobs: %q", others)
}

func tabled(name string) bool {
	for _, m := range monitoring.Metrics {
		if m.Name == name {
			return true
		}
	}
	return false
}
