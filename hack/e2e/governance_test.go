//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/flux-ledger/flux-ledger/generator"
	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/render/besu"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// A party joins the launched network with a validator: its own cluster reconciles its
// directory, no cluster's genesis changes by a byte, and every existing party's
// namespace gets the vote that adds the newcomer; withdrawing the change takes the
// vote back everywhere; then the party leaves.
func validatorJoinsByVote(t *testing.T, c *consortium, etcd *testenv.Etcd) {
	if _, err := launch.Launch(c.repo.dir); err != nil {
		t.Fatal(err)
	}
	c.repo.generate(t)
	revision := c.publish(t, "launch: freeze the genesis")
	for _, cl := range c.clusters {
		cl.waitApplied(t, revision, changeTimeout)
	}
	network := c.network(t)
	genesis := map[string]string{}
	for party, cl := range c.clusters {
		genesis[party] = c.configMap(t, cl, network.Parties[party].Namespace, besu.GenesisConfigMap)[besu.GenesisFile]
	}

	delta, _ := testenv.AgeKey(t)
	c.repo.keys["delta"] = delta
	c.clusters["delta"] = startCluster(t, etcd, "delta", "delta-aks", delta)
	c.clusters["delta"].kyverno.set(func(string) bool { return true })
	testenv.EditNetwork(t, c.repo.dir, "\t\tgamma: {", `		delta: {displayName: "Delta", contact: "ops@delta.example", recipients: ["`+delta.Recipient().String()+`"], reviewers: ["ops@delta.example"]}
		gamma: {`)
	testenv.EditNetwork(t, c.repo.dir, "\t\t\"gamma-eks\": {", `		"delta-aks": {party: "delta", provider: "aks", region: "westeurope", gitops: arcGitOps & {arc: clusterName: "e2e-delta"}, exposure: {mode: "loadbalancer", dnsSuffix: "delta.example"}, egressCIDRs: ["192.0.2.64/28"]}
		"gamma-eks": {`)
	testenv.EditNetwork(t, c.repo.dir, "\t\t\"gamma-v1\": {", `		"delta-v1": {role: "validator", cluster: "delta-aks", image: besu}
		"gamma-v1": {`)
	if _, err := keysInit(c.repo.dir, "delta"); err != nil {
		t.Fatal(err)
	}
	c.repo.generate(t)
	revision = c.publish(t, "delta joins with validator delta-v1")
	for _, cl := range c.clusters {
		cl.waitApplied(t, revision, changeTimeout)
	}

	network = c.network(t)
	vote := fmt.Sprintf("%s %s true", besu.VoteMethod(network.Consensus.Algorithm), network.Identities["delta-v1"].Address)
	for party, cl := range c.clusters {
		namespace := network.Parties[party].Namespace
		got := c.configMap(t, cl, namespace, besu.GenesisConfigMap)[besu.GenesisFile]
		if want, existing := genesis[party]; existing && got != want {
			t.Errorf("party %s: genesis changed when delta joined", party)
		}
		if got != genesis["alpha"] {
			t.Errorf("party %s runs another genesis than alpha", party)
		}
		if votes := c.configMap(t, cl, namespace, besu.VotesConfigMap)[besu.VotesFile]; !strings.Contains(votes, vote) {
			t.Errorf("party %s: votes lack %q:\n%s", party, vote, votes)
		}
	}
	if _, err := c.clusters["delta"].kube.Dynamic.Resource(statefulSets).Namespace(network.Parties["delta"].Namespace).
		Get(context.Background(), "delta-v1", metav1.GetOptions{}); err != nil {
		t.Errorf("delta-v1 did not reach delta's cluster: %v", err)
	}

	// Withdrawn before it passed: every validator discards the vote it cast.
	testenv.EditNetwork(t, c.repo.dir, `"delta-v1": {role: "validator"`, `"delta-v1": {role: "member"`)
	c.repo.generate(t)
	revision = c.publish(t, "withdraw delta-v1's validator vote")
	for party, cl := range c.clusters {
		cl.waitApplied(t, revision, changeTimeout)
		if votes := c.configMap(t, cl, network.Parties[party].Namespace, besu.VotesConfigMap)[besu.VotesFile]; strings.Contains(votes, "proposeValidatorVote") {
			t.Errorf("party %s still votes after the change was withdrawn:\n%s", party, votes)
		}
	}

	// Delta leaves. Its node is a validator neither on chain nor desired, so node,
	// cluster and party go in one pull request; its sealed key is deleted by hand
	// (generate never deletes under secrets/) and --prune removes the rest of its
	// directories. Its cluster stops with this test.
	delete(c.clusters, "delta")
	for _, line := range []string{
		`		delta: {displayName: "Delta", contact: "ops@delta.example", recipients: ["` + delta.Recipient().String() + `"], reviewers: ["ops@delta.example"]}
`,
		`		"delta-aks": {party: "delta", provider: "aks", region: "westeurope", gitops: arcGitOps & {arc: clusterName: "e2e-delta"}, exposure: {mode: "loadbalancer", dnsSuffix: "delta.example"}, egressCIDRs: ["192.0.2.64/28"]}
`,
		`		"delta-v1": {role: "member", cluster: "delta-aks", image: besu}
`,
	} {
		testenv.EditNetwork(t, c.repo.dir, line, "")
	}
	for _, file := range []string{identity.IdentityPath("delta-v1"), identity.SecretPath("delta", "delta-v1")} {
		if err := os.Remove(filepath.Join(c.repo.dir, file)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := generator.Generate(generator.Options{Repo: c.repo.dir, Prune: true}); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"parties/delta", "clusters/delta-aks"} {
		if _, err := os.Stat(filepath.Join(c.repo.dir, dir)); !os.IsNotExist(err) {
			t.Errorf("%s not pruned when delta left (%v)", dir, err)
		}
	}
	revision = c.publish(t, "delta leaves")
	for _, cl := range c.clusters {
		cl.waitApplied(t, revision, changeTimeout)
	}
}

// configMap reads a ConfigMap's data from a cluster.
func (c *consortium) configMap(t *testing.T, cl *cluster, namespace, name string) map[string]string {
	t.Helper()
	cm, err := cl.kube.Dynamic.Resource(configMaps).Namespace(namespace).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("cluster %s: ConfigMap %s/%s: %v", cl.name, namespace, name, err)
	}
	data := map[string]string{}
	for k, v := range cm.Object["data"].(map[string]any) {
		data[k] = v.(string)
	}
	return data
}
