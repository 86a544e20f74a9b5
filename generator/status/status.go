// Package status reads every cluster of the network, in parallel and each with its own
// timeout, and reports per cluster and party what Flux says: Kustomizations Ready,
// Reconciling or Stalled with their reason, the applied revision against the
// repository's HEAD, suspended objects, ledger node readiness and Kyverno policy
// report counts; and, from each party's RPC node, the chain's validators against the
// desired ones and the votes of pending changes. An unreachable cluster or node is
// reported as such; it never blocks the rest.
package status

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/runtime/conditions"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Cluster states, worst last.
const (
	StateReady       = "Ready"
	StateBehind      = "Behind"
	StateReconciling = "Reconciling"
	StateSuspended   = "Suspended"
	StateFailed      = "Failed"
	StateUnreachable = "Unreachable"
)

// Kustomization is one Flux Kustomization of a cluster.
type Kustomization struct {
	Name      string `json:"name"`
	State     string `json:"state"` // Ready, Reconciling, Stalled, Failed, Suspended
	Reason    string `json:"reason,omitempty"`
	Message   string `json:"message,omitempty"`
	Revision  string `json:"revision,omitempty"`
	Behind    int    `json:"behind"` // commits behind HEAD; -1 when unknown
	Suspended bool   `json:"suspended"`
}

// Node is one ledger node's StatefulSet.
type Node struct {
	Name  string `json:"name"`
	Ready int32  `json:"ready"`
	Want  int32  `json:"want"`
}

// Policies counts Kyverno PolicyReport results in the party's namespace.
type Policies struct {
	Pass int `json:"pass"`
	Fail int `json:"fail"`
}

// Cluster is what one cluster reports.
type Cluster struct {
	Cluster        string          `json:"cluster"`
	Party          string          `json:"party"`
	Context        string          `json:"context"`
	State          string          `json:"state"`
	Error          string          `json:"error,omitempty"`
	Kustomizations []Kustomization `json:"kustomizations"`
	Nodes          []Node          `json:"nodes"`
	Policies       *Policies       `json:"policies,omitempty"`
}

// Report is the whole network's status.
type Report struct {
	Head     string    `json:"head,omitempty"`
	Clusters []Cluster `json:"clusters"`
	// Validators is, per party that runs an RPC node, the chain's validator set as
	// that node sees it, against the desired one, with the votes of pending changes.
	Validators []Validators `json:"validators,omitempty"`
}

// ExitCode is 0 when every cluster is Ready at HEAD, 2 when any cluster is
// unreachable, 1 otherwise.
func (r *Report) ExitCode() int {
	code := 0
	for _, c := range r.Clusters {
		switch c.State {
		case StateUnreachable:
			return 2
		case StateReady:
		default:
			code = 1
		}
	}
	return code
}

// Options say how to reach the clusters.
type Options struct {
	// Kubeconfig is the file holding every cluster's context (default: $KUBECONFIG
	// or ~/.kube/config).
	Kubeconfig string
	// Contexts maps cluster names to kube contexts; a cluster not listed uses its
	// model's kubeContext, else its own name.
	Contexts map[string]string
	Timeout  time.Duration
	// Head is the repository's HEAD commit hash, and Behind counts the commits from a
	// revision's hash to HEAD (-1 if unknown); both optional.
	Head   string
	Behind func(sha string) int
}

var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	clientgoscheme.AddToScheme(s)
	kustomizev1.AddToScheme(s)
	sourcev1.AddToScheme(s)
	return s
}()

// Collect reads every cluster of the network concurrently, and the validator set from
// each party's RPC node, each read with its own timeout.
func Collect(ctx context.Context, network *model.Network, opts Options) *Report {
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	names := network.ClusterNames()
	report := &Report{Head: opts.Head, Clusters: make([]Cluster, len(names)), Validators: validatorReads(network)}
	var wg sync.WaitGroup
	within := func(read func(context.Context)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, opts.Timeout)
			defer cancel()
			read(cctx)
		}()
	}
	for i, name := range names {
		within(func(ctx context.Context) {
			report.Clusters[i] = collectCluster(ctx, network, network.Clusters[name], opts)
		})
	}
	for i := range report.Validators {
		within(func(ctx context.Context) { readValidators(ctx, network, &report.Validators[i], opts) })
	}
	wg.Wait()
	return report
}

func contextOf(cluster model.Cluster, opts Options) string {
	if c, ok := opts.Contexts[cluster.Name]; ok {
		return c
	}
	if cluster.KubeContext != "" {
		return cluster.KubeContext
	}
	return cluster.Name
}

func collectCluster(ctx context.Context, network *model.Network, cluster model.Cluster, opts Options) Cluster {
	party := network.Parties[cluster.Party]
	out := Cluster{Cluster: cluster.Name, Party: party.Name, Context: contextOf(cluster, opts), Kustomizations: []Kustomization{}, Nodes: []Node{}}
	c, err := connect(out.Context, opts)
	if err == nil {
		err = out.read(ctx, c, cluster, party, opts)
	}
	if err != nil {
		out.State = StateUnreachable
		out.Error = oneLine(err.Error())
		return out
	}
	out.State = out.summarise()
	return out
}

func connect(kubeContext string, opts Options) (client.Client, error) {
	config, err := restConfig(kubeContext, opts)
	if err != nil {
		return nil, err
	}
	return client.New(config, client.Options{Scheme: scheme})
}

// restConfig is the client configuration of one kube context, with the per-cluster
// timeout.
func restConfig(kubeContext string, opts Options) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if opts.Kubeconfig != "" {
		rules.ExplicitPath = opts.Kubeconfig
	}
	config, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("context %q: %w", kubeContext, err)
	}
	config.Timeout = opts.Timeout
	return config, nil
}

func (out *Cluster) read(ctx context.Context, c client.Client, cluster model.Cluster, party model.Party, opts Options) error {
	var ks kustomizev1.KustomizationList
	if err := c.List(ctx, &ks, client.InNamespace(cluster.GitOps.Namespace), client.MatchingLabels{model.LabelManaged: "flux-ledger"}); err != nil {
		return err
	}
	sort.Slice(ks.Items, func(i, j int) bool { return ks.Items[i].Name < ks.Items[j].Name })
	for i := range ks.Items {
		out.Kustomizations = append(out.Kustomizations, kustomization(&ks.Items[i], opts))
	}
	var sts appsv1.StatefulSetList
	if err := c.List(ctx, &sts, client.InNamespace(party.Namespace), client.MatchingLabels{model.LabelParty: party.Name}); err != nil {
		return err
	}
	sort.Slice(sts.Items, func(i, j int) bool { return sts.Items[i].Name < sts.Items[j].Name })
	for _, s := range sts.Items {
		want := int32(1)
		if s.Spec.Replicas != nil {
			want = *s.Spec.Replicas
		}
		out.Nodes = append(out.Nodes, Node{Name: s.Name, Ready: s.Status.ReadyReplicas, Want: want})
	}
	out.Policies = policyReports(ctx, c, party.Namespace)
	return nil
}

func kustomization(k *kustomizev1.Kustomization, opts Options) Kustomization {
	out := Kustomization{Name: k.Name, Revision: k.Status.LastAppliedRevision, Suspended: k.Spec.Suspend, Behind: -1}
	// Ready=False is a failure, even while Flux retries (Reconciling=True), except when
	// the Kustomization only waits for one it depends on.
	switch {
	case k.Spec.Suspend:
		out.State = StateSuspended
	case conditions.IsStalled(k):
		out.State = "Stalled"
	case conditions.IsReady(k):
		out.State = StateReady
	case conditions.IsFalse(k, "Ready") && conditions.GetReason(k, "Ready") != "DependencyNotReady":
		out.State = StateFailed
	default:
		out.State = StateReconciling
	}
	if out.State != StateReady {
		out.Reason = conditions.GetReason(k, "Ready")
		out.Message = oneLine(conditions.GetMessage(k, "Ready"))
	}
	if _, sha, ok := strings.Cut(out.Revision, "@sha1:"); ok && opts.Behind != nil {
		out.Behind = opts.Behind(sha)
	}
	return out
}

// policyReports sums Kyverno's PolicyReport results; nil when Kyverno is absent.
func policyReports(ctx context.Context, c client.Client, namespace string) *Policies {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(schema.GroupVersionKind{Group: "wgpolicyk8s.io", Version: "v1alpha2", Kind: "PolicyReportList"})
	if err := c.List(ctx, list, client.InNamespace(namespace)); err != nil {
		return nil
	}
	p := &Policies{}
	for _, r := range list.Items {
		pass, _, _ := unstructured.NestedInt64(r.Object, "summary", "pass")
		fail, _, _ := unstructured.NestedInt64(r.Object, "summary", "fail")
		p.Pass += int(pass)
		p.Fail += int(fail)
	}
	return p
}

// summarise folds the cluster's objects into one state, the worst that applies.
func (out *Cluster) summarise() string {
	state := StateReady
	worse := func(s string) {
		order := []string{StateReady, StateBehind, StateReconciling, StateSuspended, StateFailed}
		if indexOf(order, s) > indexOf(order, state) {
			state = s
		}
	}
	if len(out.Kustomizations) == 0 {
		out.Error = "no flux-ledger Kustomizations: is the cluster connected (clusters/<cluster>/arc or flux bootstrap)?"
		return StateFailed
	}
	for _, k := range out.Kustomizations {
		switch k.State {
		case StateReady:
			if k.Behind > 0 {
				worse(StateBehind)
			}
		case StateReconciling:
			worse(StateReconciling)
		case StateSuspended:
			worse(StateSuspended)
		default:
			worse(StateFailed)
		}
	}
	for _, n := range out.Nodes {
		if n.Ready < n.Want {
			worse(StateReconciling)
		}
	}
	if out.Policies != nil && out.Policies.Fail > 0 {
		worse(StateFailed)
	}
	return state
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
