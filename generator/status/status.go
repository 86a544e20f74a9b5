// Package status reads every cluster of the network, in parallel and each with its own
// timeout, and reports per cluster and party what Flux says: Kustomizations Ready,
// Reconciling or Stalled with their reason, the applied revision against the
// repository's HEAD, suspended objects, ledger node readiness and Kyverno policy
// report counts; from each party's RPC node, the chain's validators against the
// desired ones, the votes of pending changes and the validators that proposed none
// of the last two rounds of blocks; and, on Fabric, each channel's config
// as each member party's channel observer last read it from the orderers, and each
// peer's ledger height per channel from its operations service. An unreachable
// cluster or node is reported as such; it never blocks the rest.
package status

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	appsv1 "k8s.io/api/apps/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

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
	// Channels is, per launched Fabric channel, its config as the model, the record
	// and each member party's channel observer have it, with the pending update.
	Channels []Channel `json:"channels,omitempty"`
	// PeerLedgers is, per Fabric peer, its ledger height on each channel and how far
	// it is behind the highest peer of any party, read from its operations service.
	PeerLedgers []PeerLedger `json:"peerLedgers,omitempty"`
}

// ExitCode is 0 when every cluster is Ready at HEAD, 2 when any cluster is
// unreachable or not configured, 1 otherwise.
func (r *Report) ExitCode() int {
	code := 0
	for _, c := range r.Clusters {
		switch c.State {
		case StateUnreachable, StateNotConfigured:
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
	// Now is the time observations are judged old against (default time.Now).
	Now func() time.Time
}

// The resources status reads. A dynamic client with typed conversion keeps the binary
// free of client-go's generated clientsets and scheme (every Kubernetes API group),
// which would double the cold build of `make generate` for three lists.
var (
	kustomizations = kustomizev1.GroupVersion.WithResource("kustomizations")
	statefulSets   = appsv1.SchemeGroupVersion.WithResource("statefulsets")
	policyReportsR = schema.GroupVersionResource{Group: "wgpolicyk8s.io", Version: "v1alpha2", Resource: "policyreports"}
)

// Collect reads every cluster of the network concurrently, and the validator set from
// each party's RPC node, each read with its own timeout.
func Collect(ctx context.Context, network *model.Network, opts Options) *Report {
	if opts.Timeout == 0 {
		opts.Timeout = 10 * time.Second
	}
	names := network.ClusterNames()
	report := &Report{Head: opts.Head, Clusters: make([]Cluster, len(names)), Validators: validatorReads(network)}
	channels, observers := channelReads(network)
	report.Channels = channels
	report.PeerLedgers = peerLedgerReads(network)
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
	// Each read fills its own party's observations only.
	for _, r := range observers {
		within(func(ctx context.Context) { readObservers(ctx, network, report.Channels, r, opts) })
	}
	for i := range report.PeerLedgers {
		within(func(ctx context.Context) { readPeerLedger(ctx, network, &report.PeerLedgers[i], opts) })
	}
	wg.Wait()
	fillBehind(report.PeerLedgers)
	for i := range report.Channels {
		report.Channels[i].compare()
	}
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
	config, err := restConfig(out.Context, opts)
	var c dynamic.Interface
	if err == nil {
		c, err = dynamic.NewForConfig(config)
	}
	if err == nil {
		err = out.read(ctx, c, cluster, party, opts)
	}
	if err != nil {
		host := ""
		if config != nil {
			host = config.Host
		}
		out.State, out.Error = cause(err, cluster, out.Context, host, opts)
		return out
	}
	out.State = out.summarise()
	return out
}

// restConfig is the client configuration of one kube context, with the per-cluster
// timeout.
func restConfig(kubeContext string, opts Options) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if opts.Kubeconfig != "" {
		rules.ExplicitPath = opts.Kubeconfig
	}
	raw, err := rules.Load()
	if err != nil {
		return nil, err
	}
	if len(raw.Contexts) == 0 {
		return nil, errNoKubeconfig
	}
	if _, ok := raw.Contexts[kubeContext]; !ok {
		return nil, errNoContext
	}
	config, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("context %q: %w", kubeContext, err)
	}
	config.Timeout = opts.Timeout
	return config, nil
}

// listObjects reads the objects of one resource in a namespace into typed items.
func listObjects[T any](ctx context.Context, c dynamic.Interface, resource schema.GroupVersionResource, namespace string, selector map[string]string) ([]T, error) {
	objects, err := c.Resource(resource).Namespace(namespace).List(ctx, metav1.ListOptions{LabelSelector: labels.SelectorFromSet(selector).String()})
	if err != nil {
		return nil, err
	}
	sort.Slice(objects.Items, func(i, j int) bool { return objects.Items[i].GetName() < objects.Items[j].GetName() })
	items := make([]T, len(objects.Items))
	for i := range objects.Items {
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(objects.Items[i].Object, &items[i]); err != nil {
			return nil, fmt.Errorf("%s %s: %w", resource.Resource, objects.Items[i].GetName(), err)
		}
	}
	return items, nil
}

func (out *Cluster) read(ctx context.Context, c dynamic.Interface, cluster model.Cluster, party model.Party, opts Options) error {
	ks, err := listObjects[kustomizev1.Kustomization](ctx, c, kustomizations, cluster.GitOps.Namespace, map[string]string{model.LabelManaged: "flux-ledger"})
	if err != nil {
		return err
	}
	for i := range ks {
		out.Kustomizations = append(out.Kustomizations, kustomization(&ks[i], opts))
	}
	sts, err := listObjects[appsv1.StatefulSet](ctx, c, statefulSets, party.Namespace, map[string]string{model.LabelParty: party.Name})
	if err != nil {
		return err
	}
	for _, s := range sts {
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
	ready := apimeta.FindStatusCondition(k.Status.Conditions, "Ready")
	switch {
	case k.Spec.Suspend:
		out.State = StateSuspended
	case apimeta.IsStatusConditionTrue(k.Status.Conditions, "Stalled"):
		out.State = "Stalled"
	case ready != nil && ready.Status == metav1.ConditionTrue:
		out.State = StateReady
	case ready != nil && ready.Status == metav1.ConditionFalse && ready.Reason != "DependencyNotReady":
		out.State = StateFailed
	default:
		out.State = StateReconciling
	}
	if out.State != StateReady && ready != nil {
		out.Reason = ready.Reason
		out.Message = oneLine(ready.Message)
	}
	if _, sha, ok := strings.Cut(out.Revision, "@sha1:"); ok && opts.Behind != nil {
		out.Behind = opts.Behind(sha)
	}
	return out
}

// policyReports sums Kyverno's PolicyReport results; nil when Kyverno is absent.
func policyReports(ctx context.Context, c dynamic.Interface, namespace string) *Policies {
	list, err := c.Resource(policyReportsR).Namespace(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
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
