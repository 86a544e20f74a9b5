package status

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/dynamic"

	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/lifecycle"
)

// What status accepts from a cluster's observer pods. Everything a cluster says is
// untrusted: a party's cluster may be compromised, or simply wrong.
const (
	// maxObserverPods bounds the pods read per party: a CronJob keeps one succeeded
	// and one failed Job (and one running) per channel.
	maxObserverPods = 500
	// maxMessage is the most a kubelet keeps of a termination message (kubernetes
	// pkg/kubelet/container/runtime.go MaxContainerTerminationMessageLength, 4096):
	// anything longer did not come from a kubelet.
	maxMessage = 4096
	// maxEntries bounds the members and consenters of one observation, maxEntry one
	// MSP ID or endpoint.
	maxEntries = 256
	maxEntry   = 256
	// maxCause bounds what status repeats of a failed run's message.
	maxCause = 300
)

var pods = corev1.SchemeGroupVersion.WithResource("pods")

// observerPods lists the party's channel observer pods in its namespace (read-only),
// by their channel label.
func observerPods(ctx context.Context, network *model.Network, r observerRead, opts Options) (map[string][]corev1.Pod, error) {
	cluster := network.Clusters[r.cluster]
	kubeContext := contextOf(cluster, opts)
	config, err := restConfig(kubeContext, opts)
	var c dynamic.Interface
	if err == nil {
		c, err = dynamic.NewForConfig(config)
	}
	if err == nil {
		var list *observerPodList
		list, err = listPods(ctx, c, network.Parties[r.party])
		if err == nil {
			return list.byChannel(), nil
		}
	}
	host := ""
	if config != nil {
		host = config.Host
	}
	_, message := cause(err, cluster, kubeContext, host, opts)
	return nil, errors.New(message)
}

type observerPodList struct{ pods []corev1.Pod }

func listPods(ctx context.Context, c dynamic.Interface, party model.Party) (*observerPodList, error) {
	selector := labels.SelectorFromSet(map[string]string{lifecycle.LabelComponent: lifecycle.ComponentChannelObserver, model.LabelParty: party.Name})
	list, err := c.Resource(pods).Namespace(party.Namespace).List(ctx, metav1.ListOptions{LabelSelector: selector.String(), Limit: maxObserverPods})
	if err != nil {
		return nil, err
	}
	out := &observerPodList{}
	for i := range list.Items {
		if i == maxObserverPods {
			break
		}
		var pod corev1.Pod
		// A pod the cluster garbled is left out; the others still count.
		if runtime.DefaultUnstructuredConverter.FromUnstructured(list.Items[i].Object, &pod) == nil {
			out.pods = append(out.pods, pod)
		}
	}
	return out, nil
}

func (l *observerPodList) byChannel() map[string][]corev1.Pod {
	out := map[string][]corev1.Pod{}
	for _, p := range l.pods {
		out[p.Labels[lifecycle.LabelChannel]] = append(out[p.Labels[lifecycle.LabelChannel]], p)
	}
	return out
}

// run is one finished observer run: its pod's container state.
type run struct {
	finished  time.Time
	succeeded bool
	message   string
	reason    string
}

// runs are the finished runs among pods, newest first.
func runs(pods []corev1.Pod) []run {
	var out []run
	for _, p := range pods {
		if p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			continue
		}
		r := run{succeeded: p.Status.Phase == corev1.PodSucceeded, finished: p.CreationTimestamp.Time}
		for _, s := range p.Status.ContainerStatuses {
			if t := s.State.Terminated; t != nil && s.Name == "lifecycle" {
				r.message = t.Message
				if !t.FinishedAt.IsZero() {
					r.finished = t.FinishedAt.Time
				}
				if t.ExitCode != 0 {
					r.reason = fmt.Sprintf("%s, exit code %d", t.Reason, t.ExitCode)
				}
			}
		}
		if !r.succeeded && r.reason == "" && p.Status.Reason != "" {
			// The Job's activeDeadlineSeconds ended the pod (DeadlineExceeded).
			r.reason = p.Status.Reason + ": " + p.Status.Message
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b run) int { return b.finished.Compare(a.finished) })
	return out
}

// why a failed run failed: the last line of its message (the kubelet's tail of the
// log, the script's "error: …" last), else the container's or pod's reason.
func (r run) why() string {
	lines := strings.Split(strings.TrimSpace(r.message), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if last == "" {
		last = r.reason
	}
	if last == "" {
		last = "no message"
	}
	if len(last) > maxCause {
		last = strings.ToValidUTF8(last[:maxCause], "") + "…"
	}
	return last
}

// observe makes one party's observation of a channel from its observer's pods.
func observe(network *model.Network, channel, party, cluster string, pods []corev1.Pod) ChannelObservation {
	o := ChannelObservation{Party: party, Cluster: cluster}
	all := runs(pods)
	i := slices.IndexFunc(all, func(r run) bool { return r.succeeded })
	switch {
	case len(all) == 0:
		o.State, o.Cause = ObservedNone, "no observer run yet"
		return o
	case i < 0:
		o.State, o.Cause = ObservedFailed, "observer failed: "+all[0].why()
		return o
	}
	if i > 0 {
		o.LastRunFailed = all[0].why()
	}
	s, err := parseSummary(all[i].message, channel)
	if err != nil {
		o.State, o.Cause = ObservedUnreadable, "observer message not understood: "+err.Error()
		return o
	}
	config, err := inModelTerms(network, s)
	if err != nil {
		o.State, o.Cause = ObservedUnreadable, "observer message not understood: "+err.Error()
		return o
	}
	o.State, o.Config, o.Fetched = ObservedOK, &config, s.Fetched
	return o
}

// parseSummary reads an observer's termination message (lifecycle.ObserverSummary)
// and checks every field: the channel it is about, a decimal sequence, bounded lists
// of printable names, "host:port" consenters and an RFC 3339 time.
func parseSummary(message, channel string) (lifecycle.ObserverSummary, error) {
	var s lifecycle.ObserverSummary
	if len(message) > maxMessage {
		return s, fmt.Errorf("%d bytes, more than a termination message holds (%d)", len(message), maxMessage)
	}
	dec := json.NewDecoder(strings.NewReader(message))
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("not the observer's JSON: %w", err)
	}
	if strings.TrimSpace(message[dec.InputOffset():]) != "" {
		return s, errors.New("more than one JSON value")
	}
	if s.Channel != channel {
		return s, fmt.Errorf("about channel %q, not %s", clip(s.Channel), channel)
	}
	if _, err := strconv.ParseUint(s.Sequence, 10, 64); err != nil {
		return s, fmt.Errorf("sequence %q is not a number", clip(s.Sequence))
	}
	if len(s.Members) > maxEntries || len(s.Consenters) > maxEntries {
		return s, fmt.Errorf("%d members, %d consenters: more than %d", len(s.Members), len(s.Consenters), maxEntries)
	}
	for _, m := range s.Members {
		if !printableName(m) {
			return s, fmt.Errorf("member %q is not an MSP ID", clip(m))
		}
	}
	for _, c := range s.Consenters {
		host, port, err := net.SplitHostPort(c)
		if n, perr := strconv.ParseUint(port, 10, 16); err != nil || perr != nil || n == 0 || !printableName(host) {
			return s, fmt.Errorf("consenter %q is not host:port", clip(c))
		}
	}
	if _, err := time.Parse(time.RFC3339, s.Fetched); err != nil {
		return s, fmt.Errorf("fetched %q is not an RFC 3339 time", clip(s.Fetched))
	}
	return s, nil
}

// printableName: non-empty, bounded, valid UTF-8 without spaces or control
// characters. MSP IDs and host names are that; the rest is not a name.
func printableName(s string) bool {
	if s == "" || len(s) > maxEntry || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			return false
		}
	}
	return true
}

// clip bounds what status repeats of a value it refused.
func clip(s string) string {
	if len(s) > 64 {
		return strings.ToValidUTF8(s[:64], "") + "…"
	}
	return s
}

// inModelTerms names an observation's members by party and its consenters by node,
// as fabric.StateOf names a recorded config's.
func inModelTerms(network *model.Network, s lifecycle.ObserverSummary) (ChannelConfig, error) {
	seq, err := strconv.ParseUint(s.Sequence, 10, 64)
	if err != nil {
		return ChannelConfig{}, err
	}
	c := ChannelConfig{Sequence: seq, Members: []string{}, Consenters: []string{}}
	byMSP := map[string]string{}
	for _, p := range network.PartyNames() {
		byMSP[network.Parties[p].MSPID] = p
	}
	for _, m := range s.Members {
		if party, ok := byMSP[m]; ok {
			c.Members = append(c.Members, party)
		} else {
			c.UnknownMembers = append(c.UnknownMembers, m)
		}
	}
	byEndpoint := fabric.OrdererEndpoints(network)
	for _, e := range s.Consenters {
		if node, ok := byEndpoint[e]; ok {
			c.Consenters = append(c.Consenters, node)
		} else {
			c.UnknownConsenters = append(c.UnknownConsenters, e)
		}
	}
	for _, list := range [][]string{c.Members, c.Consenters, c.UnknownMembers, c.UnknownConsenters} {
		slices.Sort(list)
	}
	c.Members, c.Consenters = slices.Compact(c.Members), slices.Compact(c.Consenters)
	c.UnknownMembers, c.UnknownConsenters = slices.Compact(c.UnknownMembers), slices.Compact(c.UnknownConsenters)
	return c, nil
}
