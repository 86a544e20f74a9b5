//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/launch"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/layout"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/lifecycle"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

var (
	jobs        = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}
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
			if got := binaryData(cm, layout.GenesisBlockKey); !bytes.Equal(got, block) {
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
			if err != nil || !bytes.Equal(binaryData(cm, layout.GenesisBlockKey), frozen) {
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

// keyMatches checks that a Secret entry, as the API server serves it, is the PEM
// private key of the certificate.
func keyMatches(secret *unstructured.Unstructured, entry, certPEM string) error {
	encoded, _, _ := unstructured.NestedString(secret.Object, "data", entry)
	raw, _ := base64.StdEncoding.DecodeString(encoded)
	key, err := msp.ParseKeyPEM(raw)
	if err != nil {
		return fmt.Errorf("not decrypted: %v", err)
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
