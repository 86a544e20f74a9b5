//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/flux-ledger/flux-ledger/generator/render/flux"
	"github.com/flux-ledger/flux-ledger/generator/render/policies"
)

var clusterPolicies = schema.GroupVersionResource{Group: "kyverno.io", Version: "v1", Resource: "clusterpolicies"}

// kyverno plays the one part of Kyverno the gate depends on: once a ClusterPolicy's
// webhooks would be configured, Kyverno sets its Ready condition (kyverno
// api/kyverno/v1/policy_status.go, PolicyConditionReady = "Ready"). Kyverno does not
// run here; the test decides which policies it serves, and when.
type kyverno struct {
	mu    sync.Mutex
	serve func(name string) bool
}

func (k *kyverno) set(serve func(name string) bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.serve = serve
}

func (k *kyverno) serves(name string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.serve != nil && k.serve(name)
}

// runKyverno marks the served ClusterPolicies of the cluster Ready until the test ends.
func (c *cluster) runKyverno(t *testing.T) {
	c.playController(t, "report ClusterPolicy ready", clusterPolicies, false, func(p *unstructured.Unstructured) bool {
		if !c.kyverno.serves(p.GetName()) || policyReady(p) {
			return false
		}
		unstructured.SetNestedSlice(p.Object, []any{map[string]any{
			"type": "Ready", "status": "True", "reason": "Succeeded", "message": "Ready",
			"lastTransitionTime": time.Now().UTC().Format(time.RFC3339),
		}}, "status", "conditions")
		return true
	})
}

func policyReady(p *unstructured.Unstructured) bool {
	conditions, _, _ := unstructured.NestedSlice(p.Object, "status", "conditions")
	for _, c := range conditions {
		if m := c.(map[string]any); m["type"] == "Ready" && m["status"] == "True" {
			return true
		}
	}
	return false
}

// policyNames lists the ClusterPolicies stored in the cluster.
func (c *cluster) policyNames(t *testing.T) []string {
	t.Helper()
	list, err := c.kube.Dynamic.Resource(clusterPolicies).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatalf("%s: list ClusterPolicies: %v", c.name, err)
	}
	var names []string
	for _, p := range list.Items {
		names = append(names, p.GetName())
	}
	sort.Strings(names)
	return names
}

// holdsFor checks a condition repeatedly for a while: a gate must hold, not just be
// closed once. The span covers several of kustomize-controller's dependency requeues
// (--requeue-dependency 2s) and retry intervals.
func holdsFor(t *testing.T, what string, span time.Duration, check func() error) {
	t.Helper()
	deadline := time.Now().Add(span)
	for time.Now().Before(deadline) {
		if err := check(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// provePolicyGate shows, on a freshly published revision, that nothing of a party
// applies before Kyverno serves the policies in front of it: the guard's
// Kustomization applies its ClusterPolicy and waits; while the guard is not Ready,
// policies/ is not applied; while policies/ is not Ready, the party's ledger is not
// applied. Then the test lets Kyverno serve everything.
func provePolicyGate(t *testing.T, cl *cluster, namespace string) {
	t.Helper()
	stored := func(name string) func() error {
		return func() error {
			for _, n := range cl.policyNames(t) {
				if n == name {
					return nil
				}
			}
			return fmt.Errorf("ClusterPolicy %s not stored yet (have %v)", name, cl.policyNames(t))
		}
	}
	ledgerNotApplied := func() error {
		if s := cl.kustomization(t, flux.LedgerKustomization); s.applied != "" || s.inventory > 0 {
			return fmt.Errorf("ledger applied %q (%d objects) before its policies were served", s.applied, s.inventory)
		}
		list, err := cl.kube.Dynamic.Resource(statefulSets).Namespace(namespace).List(context.Background(), metav1.ListOptions{})
		if err != nil || len(list.Items) > 0 {
			return fmt.Errorf("StatefulSets in %s before the policies were served (%w)", namespace, err)
		}
		return nil
	}

	waitFor(t, cl.name+": guard stored", stored(policies.GuardName))
	holdsFor(t, cl.name+": nothing passes an unserved guard", 6*time.Second, func() error {
		if names := cl.policyNames(t); len(names) != 1 {
			return fmt.Errorf("policies/ applied before the guard was served: %v", names)
		}
		return ledgerNotApplied()
	})

	cl.kyverno.set(func(name string) bool { return name == policies.GuardName })
	waitFor(t, cl.name+": policies/ stored", stored("ledger-pod-security"))
	holdsFor(t, cl.name+": the ledger waits for unserved policies", 6*time.Second, ledgerNotApplied)

	cl.kyverno.set(func(string) bool { return true })
}

func waitFor(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
