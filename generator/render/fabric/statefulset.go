package fabric

import (
	"fmt"
	"path"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/identity/msp"
	"github.com/flux-ledger/flux-ledger/generator/model"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/layout"
	"github.com/flux-ledger/flux-ledger/generator/render/workload"
)

// Where a node's files are inside its containers.
const (
	// DataPath is the PersistentVolume: Fabric's default peer.fileSystemPath, and the
	// parent of the orderer's FileLedger.Location and Consensus.WALDir/SnapDir.
	DataPath = "/var/hyperledger/production"
	// CryptoPath is the projected volume: msp/ (MSP directory) and tls/ (TLS files).
	CryptoPath = "/var/hyperledger/crypto"

	MSPDir      = CryptoPath + "/msp"
	TLSCertFile = CryptoPath + "/tls/server.crt"
	TLSKeyFile  = CryptoPath + "/tls/server.key"
	// TLSCAFile is the party's own TLS CA: the root its orderers' admin endpoint
	// trusts client certificates from.
	TLSCAFile = CryptoPath + "/tls/ca.crt"
	// SignKeyFile is the signing key in the MSP's keystore; Fabric's file key store
	// finds it by content, not by name (bccsp/sw/fileks.go searchKeystoreForSKI).
	SignKeyFile  = MSPDir + "/keystore/key.pem"
	SignCertFile = MSPDir + "/signcerts/cert.pem"
)

// FabricUID is the uid and gid Fabric's processes run as. The official images set no
// USER (images/orderer/Dockerfile, images/peer/Dockerfile): the restricted profile
// runs them as a non-root uid, reading the image's files (world-readable) and writing
// only the volumes.
const FabricUID = 1000

// CryptoFileMode lets the Fabric user read keys through the pod's fsGroup.
const CryptoFileMode = 0o440

func (r *partyRenderer) statefulSet(node model.Node) (*appsv1.StatefulSet, error) {
	var main corev1.Container
	containers := []corev1.Container{}
	switch node.Role {
	case model.RoleOrderer:
		main = corev1.Container{Name: "orderer", Command: []string{"orderer"}, Env: OrdererEnv(r.network, r.party, node)}
	case model.RolePeer:
		main = corev1.Container{Name: "peer", Command: []string{"peer", "node", "start"}, Env: PeerEnv(r.network, r.party, node)}
	default:
		return nil, fmt.Errorf("role %q is not Fabric's", node.Role)
	}
	main.Image = node.Image
	main.Ports = []corev1.ContainerPort{
		{Name: PortGRPC, ContainerPort: int32(node.Ports.P2P), Protocol: corev1.ProtocolTCP},
		{Name: PortRPC, ContainerPort: int32(node.Ports.RPC), Protocol: corev1.ProtocolTCP},
		{Name: PortOperations, ContainerPort: int32(node.Ports.Metrics), Protocol: corev1.ProtocolTCP},
	}
	main.Resources = workload.Resources(node.Resources.Requests, node.Resources.Limits)
	main.VolumeMounts = []corev1.VolumeMount{
		{Name: "data", MountPath: DataPath},
		{Name: "crypto", MountPath: CryptoPath, ReadOnly: true},
		// The external builders (ccaas) work in temporary directories.
		{Name: "tmp", MountPath: "/tmp"},
	}
	main.SecurityContext = workload.Restricted()
	// The operations service answers /healthz once the node serves; a peer's checks
	// include its CouchDB, and no Docker check as its core.yaml has no vm.endpoint.
	main.StartupProbe = healthProbe(10, 30)
	main.LivenessProbe = healthProbe(10, 6)
	main.ReadinessProbe = healthProbe(10, 3)
	containers = append(containers, main)

	claims := []corev1.PersistentVolumeClaim{r.claim(node, "data", node.Storage.Size)}
	volumes := r.volumes(node)
	var annotations map[string]string
	if node.Role == model.RolePeer {
		containers[0].VolumeMounts = append(containers[0].VolumeMounts, peerCoreMount())
		volumes = append(volumes, peerCoreVolume())
		annotations = map[string]string{PeerCoreHashAnnotation: peerCoreHash(r.core)}
		containers = append(containers, r.couchDB(node))
		claims = append(claims, r.claim(node, "couchdb", node.Storage.Size))
		volumes = append(volumes,
			corev1.Volume{Name: "couchdb-local", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
			corev1.Volume{Name: "couchdb-config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: CouchDBConfigMap},
			}}},
		)
	}
	template := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: r.podLabels(node), Annotations: annotations},
		Spec: corev1.PodSpec{
			AutomountServiceAccountToken: ptr.To(false),
			SecurityContext:              workload.RestrictedPod(FabricUID),
			Containers:                   containers,
			Volumes:                      volumes,
		},
	}
	return &appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: r.meta(node.Name, node.Name),
		Spec: appsv1.StatefulSetSpec{
			Replicas:             ptr.To(int32(1)),
			ServiceName:          node.Name,
			Selector:             &metav1.LabelSelector{MatchLabels: selectorOf(node)},
			Template:             template,
			VolumeClaimTemplates: claims,
		},
	}, nil
}

func (r *partyRenderer) claim(node model.Node, name, size string) corev1.PersistentVolumeClaim {
	claim := corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: r.labels(node.Name)},
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceStorage: resource.MustParse(size),
			}},
		},
	}
	if node.Storage.Class != "" {
		claim.Spec.StorageClassName = ptr.To(node.Storage.Class)
	}
	return claim
}

// volumes are the node's volumes but its claims. crypto assembles the MSP directory
// and the TLS files from the org ConfigMap, the node's certificates ConfigMap and its
// sealed Secret, all in one read-only volume:
//
//	msp/config.yaml  msp/cacerts/ca.pem  msp/tlscacerts/tlsca.pem
//	msp/signcerts/cert.pem  msp/keystore/key.pem
//	tls/server.crt  tls/server.key  tls/ca.crt
func (r *partyRenderer) volumes(node model.Node) []corev1.Volume {
	rel := func(p string) string { return p[len(CryptoPath)+1:] }
	item := func(key, p string) corev1.KeyToPath { return corev1.KeyToPath{Key: key, Path: p} }
	configMap := func(name string, items ...corev1.KeyToPath) corev1.VolumeProjection {
		return corev1.VolumeProjection{ConfigMap: &corev1.ConfigMapProjection{
			LocalObjectReference: corev1.LocalObjectReference{Name: name}, Items: items,
		}}
	}
	mspFile := func(dir, file string) string { return path.Join("msp", dir, file) }
	sources := []corev1.VolumeProjection{
		configMap(layout.OrgConfigMap,
			item(layout.MSPConfigKey, path.Join("msp", msp.ConfigFile)),
			item(layout.CACertKey, mspFile(msp.CACertsDir, layout.CACertKey)),
			item(layout.TLSCACertKey, mspFile(msp.TLSCACertsDir, layout.TLSCACertKey)),
			item(layout.TLSCACertKey, rel(TLSCAFile)),
		),
		configMap(layout.NodeCertsConfigMap(node.Name),
			item(layout.SignCertKey, rel(SignCertFile)),
			item(layout.TLSCertKey, rel(TLSCertFile)),
		),
		{Secret: &corev1.SecretProjection{
			LocalObjectReference: corev1.LocalObjectReference{Name: identity.SecretName(node.Name)},
			Items: []corev1.KeyToPath{
				item(identity.FabricSignKeyEntry, rel(SignKeyFile)),
				item(identity.FabricTLSKeyEntry, rel(TLSKeyFile)),
			},
		}},
	}
	return []corev1.Volume{
		{Name: "crypto", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
			Sources: sources, DefaultMode: ptr.To(int32(CryptoFileMode)),
		}}},
		{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
	}
}

// healthProbe asks the operations service's /healthz (core/operations/system.go: no
// client certificate needed, operations TLS is off).
func healthProbe(period, failures int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:     corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString(PortOperations)}},
		PeriodSeconds:    period,
		TimeoutSeconds:   5,
		FailureThreshold: failures,
	}
}
