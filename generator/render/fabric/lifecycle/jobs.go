package lifecycle

import (
	"encoding/json"
	"path"
	"strconv"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/layout"
	"github.com/flux-ledger/flux-ledger/generator/render/workload"
)

// Where a Job's pod finds its files.
const (
	scriptsDir  = "/etc/flux-ledger/scripts"
	mspDir      = "/etc/flux-ledger/msp"
	tlsDir      = "/etc/flux-ledger/tls"
	tlsRootsDir = "/etc/flux-ledger/tls-roots"
	channelDir  = "/etc/flux-ledger/channel"
	packageDir  = "/etc/flux-ledger/package"
	tmpDir      = "/tmp"

	// The admin's MSP directory as the peer CLI loads it (Fabric v2.5.16
	// msp/configbuilder.go: cacerts, signcerts, keystore, tlscacerts, config.yaml).
	// mspCACertFile is where config.yaml's NodeOUs must find the CA certificate.
	mspCACertFile    = "cacerts/ca.pem"
	mspTLSCACertFile = "tlscacerts/tlsca.pem"
	mspSignCertFile  = "signcerts/admin.pem"
	mspKeyFile       = "keystore/priv_sk"

	tlsCAFile     = "ca.pem"
	tlsClientCert = "client.pem"
	tlsClientKey  = "client.key"

	packageKey = "package.tar.gz"

	// fabricCfgPath is the tools image's own FABRIC_CFG_PATH (where its core.yaml
	// is), set again so that no other default can move it.
	fabricCfgPath = "/etc/hyperledger/fabric"
)

// jobUID runs the Jobs: the tools image declares no user, so the restricted profile's
// non-root rule needs a numeric one. fsGroup lets it read the 0440 key files.
const jobUID = 1000

// keyFileMode: read for owner and group (the pod's fsGroup) only.
const keyFileMode = 0o440

// BackoffLimit is how often a failed Job pod is replaced. Pods fail while a peer or
// orderer is still starting or, for the chaincode Jobs, before the peer joined the
// channel; Kubernetes waits 10s, 20s, 40s … up to 6 minutes between pods, so twelve
// retries span about an hour. A Job that still failed is run again by deleting it:
// Flux re-creates it from the repository on its next reconciliation.
const BackoffLimit = 12

type jobSpec struct {
	// what names the Job before its hash, e.g. "join-orderer0-mychannel".
	what    string
	script  string
	env     []corev1.EnvVar
	volumes []jobVolume
	// content is what the Job acts on beyond its pod spec: the block's or package's
	// digest. The script's text is hashed too.
	content [][]byte
	// terminationMessage is the container's terminationMessagePolicy; empty leaves
	// Kubernetes' default (File).
	terminationMessage corev1.TerminationMessagePolicy
}

// job renders a Job. ttlSecondsAfterFinished stays unset on purpose: a finished Job
// deleted by its TTL would be missing from the cluster at Flux's next reconciliation,
// which re-creates every object of the repository that is missing, so the Job would
// run again on every reconciliation. A finished Job stays as the record that its step
// is done; a changed step has another name and replaces it (Flux prunes the old one).
func (r *renderer) job(s jobSpec) (*batchv1.Job, error) {
	job := &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: r.meta("", ComponentLifecycle),
		Spec: batchv1.JobSpec{
			BackoffLimit: ptr.To(int32(BackoffLimit)),
			Template:     r.podTemplate(s, r.labels(ComponentLifecycle)),
		},
	}
	spec, err := json.Marshal(job)
	if err != nil {
		return nil, err
	}
	job.Name = hashedName(s.what, r.hashed(s, spec)...)
	return job, nil
}

// hashed is what a Job's or CronJob's name hashes: its spec, the scripts it runs and
// what it acts on.
func (r *renderer) hashed(s jobSpec, spec []byte) [][]byte {
	return append([][]byte{spec, []byte(r.scripts[libScript]), []byte(r.scripts[s.script])}, s.content...)
}

// podTemplate is the pod a Job (or a CronJob's Jobs) runs: s.script from the scripts
// ConfigMap in the tools image, restricted, without a service account token.
func (r *renderer) podTemplate(s jobSpec, labels map[string]string) corev1.PodTemplateSpec {
	env := append([]corev1.EnvVar{{Name: "HOME", Value: tmpDir}}, s.env...)
	mounts := []corev1.VolumeMount{
		{Name: "scripts", MountPath: scriptsDir, ReadOnly: true},
		{Name: "tmp", MountPath: tmpDir},
	}
	volumes := []corev1.Volume{
		{Name: "scripts", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: ScriptsConfigMap},
		}}},
		{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
	}
	for _, v := range s.volumes {
		volumes = append(volumes, v.volume)
		mounts = append(mounts, corev1.VolumeMount{Name: v.volume.Name, MountPath: v.dir, ReadOnly: true})
	}
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: corev1.PodSpec{
			RestartPolicy:                corev1.RestartPolicyNever,
			AutomountServiceAccountToken: ptr.To(false),
			SecurityContext:              workload.RestrictedPod(jobUID),
			Containers: []corev1.Container{{
				Name:                     "lifecycle",
				Image:                    r.fabric.Images.Tools,
				Command:                  []string{"/bin/bash", path.Join(scriptsDir, s.script)},
				Env:                      env,
				VolumeMounts:             mounts,
				SecurityContext:          workload.Restricted(),
				TerminationMessagePolicy: s.terminationMessage,
				Resources: corev1.ResourceRequirements{
					Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("64Mi")},
					Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("500m"), corev1.ResourceMemory: resource.MustParse("256Mi")},
				},
			}},
			Volumes: volumes,
		},
	}
}

// jobVolume is a volume of a Job's pod and where its container mounts it (read-only).
type jobVolume struct {
	volume corev1.Volume
	dir    string
}

func configMapVolume(name, configMap, dir string) jobVolume {
	return jobVolume{corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: configMap},
	}}}, dir}
}

func projectedVolume(name, dir string, sources ...corev1.VolumeProjection) jobVolume {
	return jobVolume{corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
		Sources: sources, DefaultMode: ptr.To(int32(keyFileMode)),
	}}}, dir}
}

func orgFile(key, file string) corev1.VolumeProjection {
	return corev1.VolumeProjection{ConfigMap: &corev1.ConfigMapProjection{
		LocalObjectReference: corev1.LocalObjectReference{Name: layout.OrgConfigMap},
		Items:                []corev1.KeyToPath{{Key: key, Path: file}},
	}}
}

// adminKey projects an entry of the party's own admin Secret: the only Secret a Job reads.
func adminKey(key, file string) corev1.VolumeProjection {
	return corev1.VolumeProjection{Secret: &corev1.SecretProjection{
		LocalObjectReference: corev1.LocalObjectReference{Name: identity.FabricAdminSecret},
		Items:                []corev1.KeyToPath{{Key: key, Path: file}},
	}}
}

// mspVolume is the admin's MSP: the peer CLI signs with it (joining a channel and the
// lifecycle's approve and commit need the organisation's admin).
func mspVolume() jobVolume {
	return projectedVolume("msp", mspDir,
		orgFile(layout.CACertKey, mspCACertFile),
		orgFile(layout.TLSCACertKey, mspTLSCACertFile),
		orgFile(layout.MSPConfigKey, "config.yaml"),
		orgFile(layout.AdminCertKey, mspSignCertFile),
		adminKey(identity.FabricSignKeyEntry, mspKeyFile),
	)
}

// tlsVolume holds the party's TLS CA (its nodes' server certificates chain to it) and
// the admin's TLS client certificate and key for mutual TLS.
func tlsVolume() jobVolume {
	return projectedVolume("tls", tlsDir,
		orgFile(layout.TLSCACertKey, tlsCAFile),
		orgFile(layout.AdminTLSCertKey, tlsClientCert),
		adminKey(identity.FabricTLSKeyEntry, tlsClientKey),
	)
}

// tlsRootsVolume holds every party's TLS CA as <mspid>.pem.
func tlsRootsVolume() jobVolume {
	return configMapVolume("tls-roots", layout.TLSRootsConfigMap, tlsRootsDir)
}

func channelVolume(channel string) jobVolume {
	return configMapVolume("channel", layout.ChannelConfigMap(channel), channelDir)
}

func packageVolume(configMap string) jobVolume {
	return configMapVolume("package", configMap, packageDir)
}

// peerEnv is what the peer CLI reads to act as the party's admin against the peer at
// address (Fabric v2.5.16 cmd/peer/main.go: viper with prefix CORE and "." → "_";
// internal/peer/common/common.go InitCmd: peer.mspConfigPath, peer.localMspId;
// internal/peer/common/peerclient.go: peer.tls.enabled, peer.tls.rootcert.file,
// peer.tls.clientAuthRequired, peer.tls.clientCert.file, peer.tls.clientKey.file).
// The client certificate is presented whether or not the peer asks for it.
func (r *renderer) peerEnv(address string) []corev1.EnvVar {
	return []corev1.EnvVar{
		{Name: "FABRIC_CFG_PATH", Value: fabricCfgPath},
		{Name: "CORE_PEER_LOCALMSPID", Value: r.party.MSPID},
		{Name: "CORE_PEER_MSPCONFIGPATH", Value: mspDir},
		{Name: "CORE_PEER_ADDRESS", Value: address},
		{Name: "CORE_PEER_TLS_ENABLED", Value: "true"},
		{Name: "CORE_PEER_TLS_ROOTCERT_FILE", Value: path.Join(tlsDir, tlsCAFile)},
		{Name: "CORE_PEER_TLS_CLIENTAUTHREQUIRED", Value: "true"},
		{Name: "CORE_PEER_TLS_CLIENTCERT_FILE", Value: path.Join(tlsDir, tlsClientCert)},
		{Name: "CORE_PEER_TLS_CLIENTKEY_FILE", Value: path.Join(tlsDir, tlsClientKey)},
	}
}

// serviceAddress is where the party's Jobs dial one of its own nodes: the node's
// Service, named after it in the party's namespace.
func serviceAddress(n model.Node, port int) string { return n.Name + ":" + strconv.Itoa(port) }

// ordererJoin joins one of the party's orderers to a channel it is a consenter of,
// at its channel participation (admin) port.
func (r *renderer) ordererJoin(o model.Node, channel string, block []byte) error {
	job, err := r.job(jobSpec{
		what:   "join-" + o.Name + "-" + channel,
		script: ordererJoinScript,
		env: []corev1.EnvVar{
			{Name: "CHANNEL", Value: channel},
			{Name: "BLOCK_GZ", Value: path.Join(channelDir, layout.GenesisBlockKey)},
			{Name: "ORDERER_ADMIN_ADDRESS", Value: serviceAddress(o, o.Ports.RPC)},
			{Name: "TLS_CA", Value: path.Join(tlsDir, tlsCAFile)},
			{Name: "CLIENT_CERT", Value: path.Join(tlsDir, tlsClientCert)},
			{Name: "CLIENT_KEY", Value: path.Join(tlsDir, tlsClientKey)},
		},
		volumes: []jobVolume{tlsVolume(), channelVolume(channel)},
		content: [][]byte{blockDigest(block)},
	})
	if err != nil {
		return err
	}
	r.files["join-"+o.Name+"-"+channel+".yaml"] = job
	return nil
}

// peerJoin joins one of the party's peers to a channel its party is a member of.
func (r *renderer) peerJoin(p model.Node, channel string, block []byte) error {
	env := append(r.peerEnv(serviceAddress(p, p.Ports.P2P)),
		corev1.EnvVar{Name: "CHANNEL", Value: channel},
		corev1.EnvVar{Name: "BLOCK_GZ", Value: path.Join(channelDir, layout.GenesisBlockKey)})
	job, err := r.job(jobSpec{
		what:    "join-" + p.Name + "-" + channel,
		script:  peerJoinScript,
		env:     env,
		volumes: []jobVolume{mspVolume(), tlsVolume(), channelVolume(channel)},
		content: [][]byte{blockDigest(block)},
	})
	if err != nil {
		return err
	}
	r.files["join-"+p.Name+"-"+channel+".yaml"] = job
	return nil
}
