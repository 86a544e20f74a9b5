package fabric_test

import (
	"path"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/flux-ledger/flux-ledger/generator/identity"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric"
	"github.com/flux-ledger/flux-ledger/generator/render/fabric/layout"
)

// projectedFiles lists the files of the crypto volume as the container sees them, with
// the object and key each comes from.
func projectedFiles(t *testing.T, pod corev1.PodSpec, mountPath string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, v := range pod.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, s := range v.Projected.Sources {
			switch {
			case s.ConfigMap != nil:
				for _, it := range s.ConfigMap.Items {
					out[path.Join(mountPath, it.Path)] = s.ConfigMap.Name + "/" + it.Key
				}
			case s.Secret != nil:
				for _, it := range s.Secret.Items {
					out[path.Join(mountPath, it.Path)] = s.Secret.Name + "/" + it.Key
				}
			}
		}
	}
	return out
}

// Every file an orderer or peer is told about by environment exists in its crypto
// volume, and comes from the right object: the certificates from the node's and the
// org's ConfigMaps, the keys from the node's sealed Secret. The MSP directory holds
// what Fabric v2.5.16 msp/configbuilder.go reads (config.yaml, cacerts/, signcerts/,
// keystore/), and config.yaml's NodeOUs name the CA file projected there.
func TestTLSAndMSPFilesAreMountedWhereTheEnvironmentSays(t *testing.T) {
	n := referenceNetwork(t)
	for name, sts := range statefulSets(t, n) {
		pod := sts.Spec.Template.Spec
		main := mainContainer(t, sts)
		mounted := false
		for _, m := range main.VolumeMounts {
			mounted = mounted || (m.Name == "crypto" && m.MountPath == fabric.CryptoPath && m.ReadOnly)
		}
		if !mounted {
			t.Fatalf("%s: crypto volume not mounted read-only at %s", name, fabric.CryptoPath)
		}
		files := projectedFiles(t, pod, fabric.CryptoPath)
		secret := identity.SecretName(name)
		want := map[string]string{
			fabric.TLSCertFile:                             layout.NodeCertsConfigMap(name) + "/" + layout.TLSCertKey,
			fabric.TLSKeyFile:                              secret + "/" + identity.FabricTLSKeyEntry,
			fabric.TLSCAFile:                               layout.OrgConfigMap + "/" + layout.TLSCACertKey,
			fabric.SignCertFile:                            layout.NodeCertsConfigMap(name) + "/" + layout.SignCertKey,
			fabric.SignKeyFile:                             secret + "/" + identity.FabricSignKeyEntry,
			fabric.MSPDir + "/config.yaml":                 layout.OrgConfigMap + "/" + layout.MSPConfigKey,
			fabric.MSPDir + "/cacerts/" + layout.CACertKey: layout.OrgConfigMap + "/" + layout.CACertKey,
		}
		for file, source := range want {
			if files[file] != source {
				t.Errorf("%s: %s comes from %q, want %q", name, file, files[file], source)
			}
		}
		for _, e := range main.Env {
			for _, p := range envPaths(e.Value) {
				if p == fabric.MSPDir {
					continue
				}
				if _, ok := files[p]; !ok {
					t.Errorf("%s: %s names %s, which is not mounted", name, e.Name, p)
				}
			}
			if e.Name == "ORDERER_GENERAL_LOCALMSPDIR" || e.Name == "CORE_PEER_MSPCONFIGPATH" {
				if e.Value != fabric.MSPDir {
					t.Errorf("%s: %s = %s", name, e.Name, e.Value)
				}
			}
		}
	}
	// config.yaml's NodeOUs certificate is relative to the MSP directory.
	files := renderParties(t, n)["contoso"]
	if !strings.Contains(string(files["shared/"+fabric.OrgFile]), "Certificate: cacerts/"+layout.CACertKey) {
		t.Errorf("config.yaml does not name cacerts/%s:\n%s", layout.CACertKey, files["shared/"+fabric.OrgFile])
	}
}

// envPaths are the paths under the crypto volume an environment value names: one
// path, or a Fabric list "[a, b]".
func envPaths(value string) []string {
	var out []string
	for _, v := range strings.Split(strings.Trim(value, "[]"), ",") {
		if v = strings.TrimSpace(v); strings.HasPrefix(v, fabric.CryptoPath+"/") {
			out = append(out, v)
		}
	}
	return out
}
