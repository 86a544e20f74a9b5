package besu

import (
	"path"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/workload"
)

// Timing of a node's start-up.
const (
	// PeerDNSTimeoutSeconds bounds how long a starting node waits for its peers' names.
	PeerDNSTimeoutSeconds = 600
	// PeerSyncIntervalSeconds is how often peer-sync compares Besu's peers with the list.
	PeerSyncIntervalSeconds = 30
	// VoteIntervalSeconds is how often validator-vote compares the wanted validator
	// changes with the chain and its Besu's pending votes.
	VoteIntervalSeconds = 30
	// startupSeconds is how long Besu may take to open its database and listen on p2p
	// (periodSeconds × failureThreshold of the startupProbe): a large RocksDB can take
	// minutes to open after an unclean stop.
	startupPeriodSeconds    = 10
	startupFailureThreshold = 180
)

// addedPeersFile is where peer-sync records the peers it added, beside the static nodes
// wait-for-peers wrote.
const addedPeersFile = "added-peers"

func (r *partyRenderer) statefulSet(node model.Node) (*appsv1.StatefulSet, error) {
	heap, err := HeapFor(node)
	if err != nil {
		return nil, err
	}
	id := strings.TrimPrefix(r.network.Identities[node.Name].PublicKey, "0x")
	rpc := node.Role == model.RoleRPC
	ports := []corev1.ContainerPort{
		{Name: "p2p-tcp", ContainerPort: int32(node.Ports.P2P), Protocol: corev1.ProtocolTCP},
		{Name: "metrics", ContainerPort: int32(node.Ports.Metrics), Protocol: corev1.ProtocolTCP},
	}
	if rpc {
		ports = append(ports, corev1.ContainerPort{Name: "rpc", ContainerPort: int32(node.Ports.RPC), Protocol: corev1.ProtocolTCP})
	}
	peerEnv := []corev1.EnvVar{
		{Name: "PEERS_FILE", Value: path.Join(peersPath, StaticNodesFile)},
		{Name: "RESOLVED_FILE", Value: path.Join(resolvedPath, StaticNodesFile)},
		{Name: "NODE_ID", Value: id},
	}
	mounts := map[string]corev1.VolumeMount{
		"data":     {Name: "data", MountPath: dataPath},
		"genesis":  {Name: "genesis", MountPath: genesisPath, ReadOnly: true},
		"peers":    {Name: "peers", MountPath: peersPath, ReadOnly: true},
		"resolved": {Name: "resolved", MountPath: resolvedPath},
		"scripts":  {Name: "scripts", MountPath: scriptsPath, ReadOnly: true},
		"nodekey":  {Name: "nodekey", MountPath: keyPath, ReadOnly: true},
		"tmp":      {Name: "tmp", MountPath: "/tmp"},
		// The whole volume, never a subPath: the kubelet refreshes a ConfigMap volume
		// in place, but not a file mounted by subPath.
		"votes": {Name: "votes", MountPath: votesPath, ReadOnly: true},
	}
	mount := func(names ...string) []corev1.VolumeMount {
		out := make([]corev1.VolumeMount, len(names))
		for i, n := range names {
			out[i] = mounts[n]
		}
		return out
	}
	bash := func(script string) []string { return []string{"/bin/bash", path.Join(scriptsPath, script)} }

	besu := corev1.Container{
		Name:    "besu",
		Image:   node.Image,
		Command: []string{besuBinary},
		Args:    Args(r.network, node),
		Ports:   ports,
		Env: []corev1.EnvVar{
			{Name: podIPEnv, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
			{Name: "JAVA_OPTS", Value: heap.JavaOpts()},
		},
		Resources:       workload.Resources(node.Resources.Requests, node.Resources.Limits),
		VolumeMounts:    mount("data", "genesis", "resolved", "nodekey", "tmp"),
		SecurityContext: workload.Restricted(),
		StartupProbe: &corev1.Probe{
			ProbeHandler:     corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("p2p-tcp")}},
			PeriodSeconds:    startupPeriodSeconds,
			FailureThreshold: startupFailureThreshold,
		},
	}
	if rpc {
		// Besu's own health endpoints: /liveness answers while the process works,
		// /readiness only with at least minPeers peers (and in sync).
		besu.LivenessProbe = httpProbe("/liveness", "rpc")
		besu.ReadinessProbe = httpProbe("/readiness?minPeers=1", "rpc")
	} else {
		besu.VolumeMounts = append(besu.VolumeMounts, mounts["scripts"])
		besu.Env = append(besu.Env, corev1.EnvVar{Name: "ADMIN_PORT", Value: strconv.Itoa(node.Ports.RPC)})
		// Besu's /liveness on loopback, through live.sh: a TCP check on the p2p port
		// stays green while the JVM hangs. Besu starts JSON-RPC before p2p
		// (Runner.startExternalServices, then startEthereumMainLoop), so once the
		// startup probe sees p2p, /liveness answers.
		besu.LivenessProbe = &corev1.Probe{
			ProbeHandler:   corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: bash(liveScript)}},
			PeriodSeconds:  10,
			TimeoutSeconds: 5,
			// A minute without an answer: a long garbage collection is not a hang.
			FailureThreshold: 6,
		}
		besu.ReadinessProbe = &corev1.Probe{
			ProbeHandler:   corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: bash(readyScript)}},
			PeriodSeconds:  10,
			TimeoutSeconds: 5,
		}
	}
	// The helpers run the same image as Besu (already allowed and pinned by the
	// network's compliance rules) with their own small resources.
	small := model.ResourceList{CPU: "50m", Memory: "32Mi"}
	waitForPeers := corev1.Container{
		Name:    "wait-for-peers",
		Image:   node.Image,
		Command: bash(waitForPeersScript),
		Env: append(peerEnv,
			corev1.EnvVar{Name: "PEER_DNS_TIMEOUT", Value: strconv.Itoa(PeerDNSTimeoutSeconds)}),
		Resources:       workload.Resources(small, small),
		VolumeMounts:    mount("peers", "resolved", "scripts"),
		SecurityContext: workload.Restricted(),
	}
	containers := []corev1.Container{besu}
	// Every node's peer-sync talks to Besu's ADMIN API on loopback: the JSON-RPC HTTP
	// listener of validators and members, the WebSocket listener of RPC nodes (their
	// HTTP listener is public and carries no ADMIN).
	admin := corev1.EnvVar{Name: "ADMIN_PORT", Value: strconv.Itoa(node.Ports.RPC)}
	if rpc {
		admin = corev1.EnvVar{Name: "ADMIN_WS_PORT", Value: strconv.Itoa(AdminWSPort(node))}
	}
	containers = append(containers, corev1.Container{
		Name:    "peer-sync",
		Image:   node.Image,
		Command: bash(peerSyncScript),
		Env: append(append([]corev1.EnvVar{}, peerEnv...),
			admin,
			// In the pod's emptyDir: survives a restart of the sidecar, so what it
			// added it can still remove.
			corev1.EnvVar{Name: "ADDED_FILE", Value: path.Join(resolvedPath, addedPeersFile)},
			corev1.EnvVar{Name: "PEER_SYNC_INTERVAL", Value: strconv.Itoa(PeerSyncIntervalSeconds)}),
		Resources:       workload.Resources(small, small),
		VolumeMounts:    mount("peers", "resolved", "scripts"),
		SecurityContext: workload.Restricted(),
	})
	if node.IsValidator() {
		// A new list of votes reaches the running sidecar through the volume: it
		// restarts no validator (nothing in this template depends on the list).
		containers = append(containers, corev1.Container{
			Name:    "validator-vote",
			Image:   node.Image,
			Command: bash(validatorVoteScript),
			Env: []corev1.EnvVar{
				{Name: "VOTES_FILE", Value: path.Join(votesPath, VotesFile)},
				{Name: "ADMIN_PORT", Value: strconv.Itoa(node.Ports.RPC)},
				{Name: "VOTE_INTERVAL", Value: strconv.Itoa(VoteIntervalSeconds)},
			},
			Resources:       workload.Resources(small, small),
			VolumeMounts:    mount("votes", "scripts"),
			SecurityContext: workload.Restricted(),
		})
	}
	template := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: r.podLabels(node), Annotations: r.restartAnnotations(node)},
		Spec: corev1.PodSpec{
			AutomountServiceAccountToken: ptr.To(false),
			SecurityContext:              workload.RestrictedPod(besuUID),
			InitContainers:               []corev1.Container{waitForPeers},
			Containers:                   containers,
			Volumes:                      r.volumes(node),
		},
	}
	claim := corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: metav1.ObjectMeta{Name: "data", Labels: r.labels(node.Name)},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceStorage: resource.MustParse(node.Storage.Size),
			}},
		},
	}
	if node.Storage.Class != "" {
		claim.Spec.StorageClassName = ptr.To(node.Storage.Class)
	}
	return &appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: r.meta(node.Name, node.Name),
		Spec: appsv1.StatefulSetSpec{
			Replicas:             ptr.To(int32(1)),
			ServiceName:          node.Name,
			Selector:             &metav1.LabelSelector{MatchLabels: selectorOf(node)},
			Template:             template,
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{claim},
		},
	}, nil
}

// TransitionsAnnotation counts the validator transitions a node's pod was started with.
// Besu reads the genesis config once per process (BesuCommand), so a new transition
// reaches a node only when it restarts: changing this annotation is what restarts it
// (the StatefulSet controller replaces a pod whose template changed). The genesis
// ConfigMap itself is in no template, so votes and the frozen block restart nothing.
const TransitionsAnnotation = "ledger.flux-ledger.dev/genesis-transitions"

// restartAnnotations is nil for a node that runs no transition, so networks without
// one render as before.
func (r *partyRenderer) restartAnnotations(node model.Node) map[string]string {
	k := r.network.TransitionsRunBy(node.Name)
	if k == 0 {
		return nil
	}
	return map[string]string{TransitionsAnnotation: strconv.Itoa(k)}
}

// KeyFileMode is the node key's file mode: read for owner and group. Secret volume
// files belong to root, their group is the pod's fsGroup (the besu group), so the besu
// user reads its key through the group bit; 0400 would leave it to root alone.
const KeyFileMode = 0o440

func (r *partyRenderer) volumes(node model.Node) []corev1.Volume {
	configVolume := func(name, configMap string) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
			ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: configMap}},
		}}
	}
	emptyDir := func(name string) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}
	}
	volumes := []corev1.Volume{
		configVolume("genesis", GenesisConfigMap),
		configVolume("peers", PeersConfigMap),
		configVolume("scripts", ScriptsConfigMap),
		{Name: "nodekey", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
			SecretName:  identity.SecretName(node.Name),
			DefaultMode: ptr.To(int32(KeyFileMode)),
		}}},
		emptyDir("resolved"),
		emptyDir("tmp"),
	}
	if node.IsValidator() {
		// Not optional: a validator without its list would not know that it has none
		// (an unreadable list changes nothing), so it waits for the ConfigMap instead.
		votes := configVolume("votes", VotesConfigMap)
		votes.ConfigMap.Optional = ptr.To(false)
		volumes = append(volumes, votes)
	}
	return volumes
}

func httpProbe(path, port string) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:   corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString(port)}},
		PeriodSeconds:  10,
		TimeoutSeconds: 5,
	}
}
