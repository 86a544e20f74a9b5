package lifecycle

import (
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/layout"
)

// A channel observer is a CronJob in a member party's namespace that reads the
// channel's config block from the orderers and leaves a one-line JSON summary of it
// (ObserverSummary) as its container's termination message, where `flux-ledger
// status` reads it through the kube API: the orderer's gRPC API does not pass through
// the API server, a pod's status does.
const (
	// ComponentChannelObserver labels an observer's pods (LabelComponent).
	ComponentChannelObserver = "channel-observer"
	// LabelChannel carries ObserverChannelLabel(channel) on an observer's pods.
	LabelChannel = "ledger.flux-ledger.dev/channel"

	// ObserverSchedule: every 10 minutes. A config update takes effect in one block, so
	// status lags the chain by at most this (plus a run).
	ObserverSchedule = "*/10 * * * *"

	// maxCronJobName: the CronJob controller names each Job "<cronjob>-<minutes since
	// epoch>", so the API server refuses a CronJob name over 63-11 characters
	// (kubernetes pkg/apis/batch/validation/validation.go ValidateCronJob: "must be
	// no more than 52 characters").
	maxCronJobName = 52

	// observerDeadline bounds one run (the Job's activeDeadlineSeconds): with_orderers
	// tries each orderer in turn, and an orderer that never answers must not hold the
	// run (and, under Forbid, every later one) for good.
	observerDeadline = 300
)

// ObserverSummary is the observer's termination message: what the config block the
// orderers gave says. Sequence is a string as configtxlator prints a uint64.
type ObserverSummary struct {
	Channel  string `json:"channel"`
	Sequence string `json:"sequence"`
	// Members are the MSP IDs of /Channel/Application's groups, sorted.
	Members []string `json:"members"`
	// Consensus is the ConsensusType's type ("etcdraft" or "BFT"); Consenters the
	// consenters' "host:port", sorted.
	Consensus  string   `json:"consensus"`
	Consenters []string `json:"consenters"`
	// Fetched is when the block was read (RFC 3339, UTC).
	Fetched string `json:"fetched"`
}

// ObserverChannelLabel is the LabelChannel value of a channel's observer pods: a
// channel name may be longer than a label value may be (63).
func ObserverChannelLabel(channel string) string { return dnsLabel(channel) }

// ObserverName is the CronJob's name: fixed per channel, so that each party's cluster
// keeps one observer per channel whatever its pod spec becomes.
func ObserverName(channel string) string { return dnsLabelMax(maxCronJobName, "observe", channel) }

// observerIdentity is the node whose own identity the observer reads the channel
// with: the party's first peer (by name) on the network, when it runs in this
// cluster; "" when it does not (another cluster of the party observes). A peer's
// signing certificate carries the "peer" OU, which the party's application Readers
// policy admits (OR(admin, peer, client), configtx policies.go), and the orderer
// serves a Deliver request to whoever satisfies /Channel/Readers (Fabric v3.1.5
// orderer/common/server/server.go NewSigFilter(policies.ChannelReaders, …)). Its TLS
// certificate is also a client certificate (identity/msp leaf.go tlsExtKeyUsage),
// which the orderer's mutual TLS asks for. So the observer holds no admin key.
func (r *renderer) observerIdentity() (model.Node, bool) {
	for _, name := range r.network.NodeNames() {
		n := r.network.Nodes[name]
		if n.Party == r.party.Name && n.Role == model.RolePeer {
			for _, p := range r.peers {
				if p.Name == n.Name {
					return p, true
				}
			}
			return model.Node{}, false
		}
	}
	return model.Node{}, false
}

// nodeCert and nodeKey project a node's public certificate and an entry of its sealed
// key Secret.
func nodeCert(node, key, file string) corev1.VolumeProjection {
	return corev1.VolumeProjection{ConfigMap: &corev1.ConfigMapProjection{
		LocalObjectReference: corev1.LocalObjectReference{Name: layout.NodeCertsConfigMap(node)},
		Items:                []corev1.KeyToPath{{Key: key, Path: file}},
	}}
}

func nodeKey(node, key, file string) corev1.VolumeProjection {
	return corev1.VolumeProjection{Secret: &corev1.SecretProjection{
		LocalObjectReference: corev1.LocalObjectReference{Name: identity.SecretName(node)},
		Items:                []corev1.KeyToPath{{Key: key, Path: file}},
	}}
}

// observer renders the channel's observer: a CronJob running channel-observe.sh as
// peer p, every ObserverSchedule, one run at a time, keeping the last succeeded and
// the last failed Job (and so their pods and termination messages) for status.
func (r *renderer) observer(p model.Node, channel string) error {
	orderers, err := r.orderersOf(channel)
	if err != nil {
		return err
	}
	s := jobSpec{
		what:   "observe-" + channel,
		script: channelObserveScript,
		env: append(r.peerEnv(serviceAddress(p, p.Ports.P2P)),
			corev1.EnvVar{Name: "CHANNEL", Value: channel},
			corev1.EnvVar{Name: "ORDERERS", Value: orderers}),
		volumes: []jobVolume{
			projectedVolume("msp", mspDir,
				orgFile(layout.CACertKey, mspCACertFile),
				orgFile(layout.TLSCACertKey, mspTLSCACertFile),
				orgFile(layout.MSPConfigKey, "config.yaml"),
				nodeCert(p.Name, layout.SignCertKey, "signcerts/"+p.Name+".pem"),
				nodeKey(p.Name, identity.FabricSignKeyEntry, mspKeyFile)),
			projectedVolume("tls", tlsDir,
				orgFile(layout.TLSCACertKey, tlsCAFile),
				nodeCert(p.Name, layout.TLSCertKey, tlsClientCert),
				nodeKey(p.Name, identity.FabricTLSKeyEntry, tlsClientKey)),
			tlsRootsVolume(),
		},
		// A failed run writes no summary: the kubelet then makes the message the last
		// lines of the container's log (at most 80 lines, 2048 bytes: kubernetes
		// pkg/kubelet/kuberuntime/kuberuntime_container.go getTerminationMessage and
		// readLastStringFromContainerLogs, pkg/kubelet/container/runtime.go), the
		// script's own "error: …" last; status shows it as why the observer failed.
		terminationMessage: corev1.TerminationMessageFallbackToLogsOnError,
	}
	labels := r.labels(ComponentChannelObserver)
	labels[LabelChannel] = ObserverChannelLabel(channel)
	template := r.podTemplate(s, labels)
	cron := &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: r.meta(ObserverName(channel), ComponentChannelObserver),
		Spec: batchv1.CronJobSpec{
			Schedule:                   ObserverSchedule,
			ConcurrencyPolicy:          batchv1.ForbidConcurrent,
			SuccessfulJobsHistoryLimit: ptr.To(int32(1)),
			FailedJobsHistoryLimit:     ptr.To(int32(1)),
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: batchv1.JobSpec{
					// No retry: the next scheduled run is the retry, and a failed pod
					// kept as the failed history says why.
					BackoffLimit:          ptr.To(int32(0)),
					ActiveDeadlineSeconds: ptr.To(int64(observerDeadline)),
					Template:              template,
				},
			},
		},
	}
	r.files["observe-"+channel+".yaml"] = cron
	return nil
}
