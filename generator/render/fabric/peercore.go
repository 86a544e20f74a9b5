package fabric

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// A party's peers read the core.yaml flux-ledger renders, not the image's: the
// image's default (sampleconfig/core.yaml) sets vm.endpoint to the Docker socket, and
// a peer with a vm.endpoint registers a "docker" health checker that fails in any pod,
// so /healthz answers 503 and the peer never becomes Ready. Fabric 3.x accepts
// CORE_VM_ENDPOINT="" to clear it; v2.5.16's viper ignores an empty variable.
const (
	// PeerCoreConfigMap holds core.yaml, in shared/ (one per party).
	PeerCoreConfigMap = "peer-core"
	PeerCoreFile      = "peer-core.yaml"
	PeerCoreKey       = "core.yaml"
	// PeerConfigPath is the peer's FABRIC_CFG_PATH: the directory it reads core.yaml
	// from (core/config/config.go InitViper).
	PeerConfigPath = "/var/hyperledger/config"
	// PeerCoreHashAnnotation on the pod template changes with core.yaml, so a new
	// configuration restarts the peers.
	PeerCoreHashAnnotation = "ledger.flux-ledger.dev/peer-core-sha256"
)

// The ccaas external builder of the peer image: images/peer/Dockerfile copies
// release/<os>-<arch>/builders/ccaas/bin to /opt/hyperledger/ccaas_builder/bin and
// sampleconfig/core.yaml names it ccaas_builder.
const (
	CCaaSBuilderName = "ccaas_builder"
	CCaaSBuilderPath = "/opt/hyperledger/ccaas_builder"
)

var couchDBAddress = "127.0.0.1:" + strconv.Itoa(couchDBPort)

// peerCore renders the party's core.yaml.
func (r *partyRenderer) peerCore() ([]byte, error) {
	return yaml.Marshal(peerSettings(r.network.Fabric.Version, r.party))
}

// peerCoreConfigMap is the ConfigMap holding core.yaml.
func (r *partyRenderer) peerCoreConfigMap(core []byte) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: r.meta(PeerCoreConfigMap, ""),
		Data:       map[string]string{PeerCoreKey: string(core)},
	}
}

// peerCoreHash is what PeerCoreHashAnnotation carries.
func peerCoreHash(core []byte) string {
	sum := sha256.Sum256(core)
	return hex.EncodeToString(sum[:])
}

// peerCoreVolume is the ConfigMap as the directory FABRIC_CFG_PATH names.
func peerCoreVolume() corev1.Volume {
	return corev1.Volume{Name: "core", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: PeerCoreConfigMap},
		Items:                []corev1.KeyToPath{{Key: PeerCoreKey, Path: PeerCoreKey}},
	}}}
}

func peerCoreMount() corev1.VolumeMount {
	return corev1.VolumeMount{Name: "core", MountPath: PeerConfigPath, ReadOnly: true}
}
