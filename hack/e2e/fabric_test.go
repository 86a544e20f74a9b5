//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/plan"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/layout"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/lifecycle"
	"github.com/flux-ledger/flux-ledger/generator/status"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

var (
	jobs        = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}
	cronJobs    = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "cronjobs"}
	deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
)

// TestConsortiumFabric reconciles a three-party Fabric network (an orderer and a peer
// per party, one channel, one chaincode as a service) on three clusters: each party's
// Flux applies only its own directory, with keys only it can decrypt; launching freezes
// the channel's genesis block and brings the channel Jobs; a new chaincode sequence
// replaces only the approve and commit Jobs.
func TestConsortiumFabric(t *testing.T) {
	c, _ := startConsortium(t, "testdata/fabric-network.cue")
	for _, p := range parties {
		c.clusters[p].kyverno.set(func(string) bool { return true })
	}
	c.applyEverywhere(t, "fabric network")

	t.Run("every party runs its orderer and peer with its own keys", func(t *testing.T) {
		network := c.network(t)
		block, err := fabric.ChannelBlock(network, "trade")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parties {
			cl := c.clusters[p]
			ns := network.Parties[p].Namespace
			for _, node := range network.NodesByParty()[p] {
				for _, res := range []schema.GroupVersionResource{statefulSets, services} {
					if _, err := cl.get(res, ns, node.Name); err != nil {
						t.Errorf("%s: %s %s: %v", cl.name, res.Resource, node.Name, err)
					}
				}
				secret, err := cl.get(secretsGVR, ns, identity.SecretName(node.Name))
				if err != nil {
					t.Errorf("%s: keys of %s: %v", cl.name, node.Name, err)
					continue
				}
				// Served decrypted: the PEM keys of the node's public certificates.
				for entry, cert := range map[string]string{identity.FabricSignKeyEntry: network.Identities[node.Name].SignCert, identity.FabricTLSKeyEntry: network.Identities[node.Name].TLSCert} {
					if err := keyMatches(secret, entry, cert); err != nil {
						t.Errorf("%s: %s %s: %v", cl.name, node.Name, entry, err)
					}
				}
			}
			if _, err := cl.get(secretsGVR, ns, identity.FabricAdminSecret); err != nil {
				t.Errorf("%s: admin keys: %v", cl.name, err)
			}
			// The CA keys stay sealed in Git: no cluster ever holds them.
			if _, err := cl.get(secretsGVR, ns, identity.FabricCASecret); !apierrors.IsNotFound(err) {
				t.Errorf("%s: Secret %s: %v, want NotFound", cl.name, identity.FabricCASecret, err)
			}
			cm, err := cl.get(configMaps, ns, layout.ChannelConfigMap("trade"))
			if err != nil {
				t.Fatalf("%s: %v", cl.name, err)
			}
			if got := genesisBlock(cm); !bytes.Equal(got, block) {
				t.Errorf("%s: genesis block of trade is %d bytes, not the %d rendered", cl.name, len(got), len(block))
			}
			// Nothing joins a block that is not frozen yet.
			if names := c.jobNames(t, p); len(names) != 0 {
				t.Errorf("%s runs Jobs %v before launch", cl.name, names)
			}
		}
	})

	var launched map[string][]string
	t.Run("launch freezes the block every party joins, and the channel Jobs start", func(t *testing.T) {
		before := c.network(t)
		rendered, _ := fabric.ChannelBlock(before, "trade")
		if _, err := launch.Launch(c.repo.dir); err != nil {
			t.Fatal(err)
		}
		c.repo.generate(t)
		c.applyEverywhere(t, "launch")
		network := c.network(t)
		frozen, _ := base64.StdEncoding.DecodeString(network.Fabric.Channels["trade"].GenesisBlock)
		if !bytes.Equal(frozen, rendered) {
			t.Fatal("launch recorded another block than the one every party was given")
		}
		launched = map[string][]string{}
		for _, p := range parties {
			cm, err := c.clusters[p].get(configMaps, network.Parties[p].Namespace, layout.ChannelConfigMap("trade"))
			if err != nil || !bytes.Equal(genesisBlock(cm), frozen) {
				t.Errorf("%s: genesis block is not the frozen one (%v)", c.clusters[p].name, err)
			}
			launched[p] = c.jobNames(t, p)
			want := []string{"join-" + p + "-orderer-trade-", "join-" + p + "-peer-trade-", "install-trade-assets-", "approve-trade-assets-"}
			if p == "alpha" { // the committer
				want = append(want, "commit-trade-assets-")
			}
			if err := jobsArePrefixedBy(launched[p], want); err != nil {
				t.Errorf("%s: %v", c.clusters[p].name, err)
			}
			if _, err := c.clusters[p].get(deployments, network.Parties[p].Namespace, lifecycle.ChaincodeService("trade", "assets")); err != nil {
				t.Errorf("%s: chaincode server: %v", c.clusters[p].name, err)
			}
		}
	})

	t.Run("a new chaincode sequence replaces only the approve and commit Jobs", func(t *testing.T) {
		if launched == nil {
			t.Skip("not launched")
		}
		testenv.EditNetwork(t, c.repo.dir, "sequence:  1", "sequence:  2")
		c.repo.generate(t)
		c.applyEverywhere(t, "assets sequence 2")
		for _, p := range parties {
			now := c.jobNames(t, p)
			for _, name := range launched[p] {
				// The package (label, server address) is the same: nothing to install again.
				stays := strings.HasPrefix(name, "join-") || strings.HasPrefix(name, "install-")
				if kept := slices.Contains(now, name); kept != stays {
					t.Errorf("%s: Job %s kept=%t, want %t; now %v", c.clusters[p].name, name, kept, stays, now)
				}
			}
			if len(now) != len(launched[p]) {
				t.Errorf("%s: %d Jobs after the change, %d before: %v", c.clusters[p].name, len(now), len(launched[p]), now)
			}
		}
	})

	t.Run("a fourth organisation joins the running channel: signed, one member submits, status sees it", func(t *testing.T) {
		if launched == nil {
			t.Skip("not launched")
		}
		c.fourthOrganisationJoins(t)
	})

	t.Run("clusters hold only their own party's objects", func(t *testing.T) {
		onlyOwnObjects(t, c, statefulSets, services, configMaps, secretsGVR, jobs, deployments)
	})
}

// applyEverywhere commits the work tree and waits until every cluster applied it.
func (c *consortium) applyEverywhere(t *testing.T, message string) {
	t.Helper()
	revision := c.publish(t, message)
	for _, p := range parties {
		cl := c.clusters[p]
		cl.waitApplied(t, revision, readyTimeout)
		if cl.readyAfter == 0 {
			cl.readyAfter = time.Since(cl.started)
		}
	}
}

func (cl *cluster) get(res schema.GroupVersionResource, namespace, name string) (*unstructured.Unstructured, error) {
	return cl.kube.Dynamic.Resource(res).Namespace(namespace).Get(context.Background(), name, metav1.GetOptions{})
}

// jobNames lists the Jobs in the party's namespace of its cluster, sorted.
func (c *consortium) jobNames(t *testing.T, party string) []string {
	t.Helper()
	ns := c.network(t).Parties[party].Namespace
	list, err := c.clusters[party].kube.Dynamic.Resource(jobs).Namespace(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, j := range list.Items {
		names = append(names, j.GetName())
	}
	slices.Sort(names)
	return names
}

// jobsArePrefixedBy checks that there is exactly one Job per prefix, each named by
// its prefix and a content hash.
func jobsArePrefixedBy(names, prefixes []string) error {
	if len(names) != len(prefixes) {
		return fmt.Errorf("Jobs %v, want one per %v", names, prefixes)
	}
	for _, prefix := range prefixes {
		if !slices.ContainsFunc(names, func(n string) bool {
			return strings.HasPrefix(n, prefix) && len(n) == len(prefix)+10
		}) {
			return fmt.Errorf("no Job %s<hash> in %v", prefix, names)
		}
	}
	return nil
}

func binaryData(cm *unstructured.Unstructured, key string) []byte {
	encoded, _, _ := unstructured.NestedString(cm.Object, "binaryData", key)
	data, _ := base64.StdEncoding.DecodeString(encoded)
	return data
}

// genesisBlock is the block a channel ConfigMap holds (compressed), as the API
// server serves it.
func genesisBlock(cm *unstructured.Unstructured) []byte {
	block, _ := fabric.DecompressBlock(binaryData(cm, layout.GenesisBlockKey))
	return block
}

// keyMatches checks that a Secret entry, as the API server serves it, is the PEM
// private key of the certificate.
func keyMatches(secret *unstructured.Unstructured, entry, certPEM string) error {
	encoded, _, _ := unstructured.NestedString(secret.Object, "data", entry)
	raw, _ := base64.StdEncoding.DecodeString(encoded)
	key, err := msp.ParseKeyPEM(raw)
	if err != nil {
		return fmt.Errorf("not decrypted: %w", err)
	}
	cert, err := msp.ParseCertPEM([]byte(certPEM))
	if err != nil {
		return err
	}
	if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || !pub.Equal(&key.PublicKey) {
		return fmt.Errorf("key is not the certificate's")
	}
	return nil
}

// fourthOrganisationJoins adds party delta (its own cluster, one peer) to the launched
// network and takes the join as far as clusters without Fabric can: the config update
// rendered, plan asking for 2 of the 3 members' admins (MAJORITY of
// /Channel/Application/Admins), two members signing each with its own age key only,
// and the signed envelope reaching the first signer's cluster through its own Flux
// with the Job that submits it; the other members' clusters get neither.
func (c *consortium) fourthOrganisationJoins(t *testing.T) {
	base := c.network(t)
	id, _ := testenv.AgeKey(t)
	c.repo.keys["delta"] = id
	testenv.EditNetwork(t, c.repo.dir, "\t\tgamma: {displayName:", "\t\tdelta: {displayName: \"Delta\", contact: \"ops@delta.example\", recipients: [\""+id.Recipient().String()+"\"], reviewers: [\"ops@delta.example\"]}\n\t\tgamma: {displayName:")
	testenv.EditNetwork(t, c.repo.dir, "\t\t\"gamma-eks\": {", "\t\t\"delta-aks\": {party: \"delta\", provider: \"aks\", region: \"westeurope\", gitops: arcGitOps & {arc: clusterName: \"e2e-delta\"}, exposure: {mode: \"loadbalancer\", dnsSuffix: \"delta.example\"}, egressCIDRs: [\"203.0.113.16/28\"]}\n\t\t\"gamma-eks\": {")
	testenv.EditNetwork(t, c.repo.dir, "\t\t\"gamma-orderer\": {", "\t\t\"delta-peer\": {role: \"peer\", cluster: \"delta-aks\", image: peer}\n\t\t\"gamma-orderer\": {")
	if _, err := keysInit(c.repo.dir, "delta"); err != nil {
		t.Fatal(err)
	}
	c.repo.generate(t)
	updates := filepath.Join(c.repo.dir, "channels", "trade", "updates")
	if _, err := os.Stat(filepath.Join(updates, "1-add-delta.pb")); err != nil {
		t.Fatalf("the join's config update is not rendered: %v", err)
	}

	p, err := plan.Compute("launched", base, c.network(t))
	if err != nil {
		t.Fatal(err)
	}
	var update *plan.ChannelUpdate
	for i, u := range p.ChannelUpdates {
		if u.Channel == "trade" && u.Change == "add" && u.Party == "delta" {
			update = &p.ChannelUpdates[i]
		}
	}
	if update == nil || len(update.Signatures) != 1 {
		t.Fatalf("plan's channel updates: %+v, want delta's join needing one policy", p.ChannelUpdates)
	}
	if s := update.Signatures[0]; s.Policy != "/Channel/Application/Admins" || s.Required != 2 || len(s.Of) != 3 || s.More != 2 {
		t.Errorf("the join needs %+v, want 2 more of the 3 members' /Channel/Application/Admins", s)
	}

	// A party cannot sign with another party's key: the admin key is sealed to its
	// owner only.
	if _, err := launch.SignChannel(c.repo.dir, "trade", "alpha", []age.Identity{c.repo.keys["beta"]}); err == nil {
		t.Error("alpha's signature made with beta's age key was accepted")
	}
	for _, party := range []string{"gamma", "beta"} {
		if _, err := launch.SignChannel(c.repo.dir, "trade", party, []age.Identity{c.repo.keys[party]}); err != nil {
			t.Fatalf("%s signs: %v", party, err)
		}
	}
	c.repo.generate(t)
	signed, err := os.ReadFile(filepath.Join(updates, "1-add-delta.signed.pb"))
	if err != nil {
		t.Fatalf("two of three signatures, no signed envelope: %v", err)
	}
	c.applyEverywhere(t, "delta joins trade")

	network := c.network(t)
	for _, party := range parties {
		cl := c.clusters[party]
		var submits []string
		for _, name := range c.jobNames(t, party) {
			if strings.HasPrefix(name, "submit-trade-1-") {
				submits = append(submits, name)
			}
		}
		cm, cmErr := cl.get(configMaps, network.Parties[party].Namespace, "channel-update-trade")
		// beta is the first of the signers by name: it alone submits.
		if party != "beta" {
			if len(submits) != 0 || cmErr == nil {
				t.Errorf("%s: submit Jobs %v, envelope ConfigMap err %v: only beta submits", cl.name, submits, cmErr)
			}
			continue
		}
		if len(submits) != 1 {
			t.Errorf("%s: submit Jobs %v, want one", cl.name, submits)
		}
		if cmErr != nil {
			t.Fatalf("%s: the signed envelope: %v", cl.name, cmErr)
		}
		if got := binaryData(cm, "update.pb"); !bytes.Equal(got, signed) {
			t.Errorf("%s: the envelope applied is %d bytes, not the %d signed", cl.name, len(got), len(signed))
		}
	}
	c.statusShowsTheJoin(t, network)
}

// statusShowsTheJoin plays beta's channel observer after the update landed, as the
// kubelet would leave its pod: Succeeded, the summary in the container's termination
// message, in the JSON channel-observe.sh wrote against Fabric v2.5.16 orderers
// (docs/platforms/fabric.md, "Checked on a real orderer"). flux-ledger status, reading the clusters,
// then shows delta on chain, and the record to be made.
func (c *consortium) statusShowsTheJoin(t *testing.T, network *model.Network) {
	t.Helper()
	cl := c.clusters["beta"]
	ns := network.Parties["beta"].Namespace
	cron, err := cl.get(cronJobs, ns, lifecycle.ObserverName("trade"))
	if err != nil {
		t.Fatalf("%s: the channel observer: %v", cl.name, err)
	}
	labels, _, _ := unstructured.NestedStringMap(cron.Object, "spec", "jobTemplate", "spec", "template", "metadata", "labels")
	var members, consenters []string
	for _, p := range []string{"alpha", "beta", "delta", "gamma"} {
		members = append(members, network.Parties[p].MSPID)
	}
	for _, n := range network.Fabric.Channels["trade"].Consenters {
		consenters = append(consenters, fmt.Sprintf("%s:%d", network.Nodes[n].Endpoint.Host, network.Nodes[n].Endpoint.Port))
	}
	summary, err := json.Marshal(map[string]any{"channel": "trade", "sequence": "1", "members": members, "consensus": "etcdraft", "consenters": consenters, "fetched": time.Now().UTC().Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// The pod the CronJob's Job makes: its template, as the cluster holds it.
	spec, _, _ := unstructured.NestedMap(cron.Object, "spec", "jobTemplate", "spec", "template", "spec")
	pod := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Pod", "spec": spec}}
	pod.SetName("observe-trade-e2e")
	pod.SetNamespace(ns)
	pod.SetLabels(labels)
	podsGVR := corev1.SchemeGroupVersion.WithResource("pods")
	created, err := cl.kube.Dynamic.Resource(podsGVR).Namespace(ns).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	finished, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&corev1.PodStatus{Phase: corev1.PodSucceeded, ContainerStatuses: []corev1.ContainerStatus{{
		Name: "lifecycle", Image: "docker.io/hyperledger/fabric-tools:2.5.16",
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", Message: string(summary), FinishedAt: metav1.Now()}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	created.Object["status"] = finished
	if _, err := cl.kube.Dynamic.Resource(podsGVR).Namespace(ns).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}

	report := status.Collect(ctx, network, c.statusOptions(t))
	if len(report.Channels) != 1 || report.Channels[0].OnChain == nil {
		t.Fatalf("status channels: %+v", report.Channels)
	}
	ch := report.Channels[0]
	if ch.OnChain.Sequence != 1 || !slices.Contains(ch.OnChain.Members, "delta") || ch.Recorded.Sequence != 0 {
		t.Errorf("status: on chain %+v, recorded %+v; want delta a member at sequence 1, the record at 0", *ch.OnChain, ch.Recorded)
	}
	want := "the chain is at config sequence 1, the record (cue/channels.cue) at 0: record it"
	if !slices.ContainsFunc(ch.Notes, func(n string) bool { return strings.HasPrefix(n, want) }) {
		t.Errorf("status notes %q, want %q", ch.Notes, want)
	}
}
