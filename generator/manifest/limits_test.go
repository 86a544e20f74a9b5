package manifest_test

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/flux-ledger/flux-ledger/generator/manifest"
	"github.com/flux-ledger/flux-ledger/generator/testenv"
)

// The encoder refuses exactly the ConfigMaps a real kube-apiserver refuses: one of
// MaxDataBytes (text and binary entries together) is admitted by a server-side dry
// run, one byte more is refused by both, the server with its "Too long" field error.
func TestEncodeRefusesWhatTheAPIServerRefuses(t *testing.T) {
	kube := testenv.StartAPIServer(t, testenv.StartEtcd(t), "limits").Connect(t)
	ctx := context.Background()
	ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "limits"}}}
	if err := kube.Apply(ctx, ns, false); err != nil {
		t.Fatal(err)
	}
	configMap := func(size int) *corev1.ConfigMap {
		half := size / 2
		return &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: "big", Namespace: "limits"},
			Data:       map[string]string{"text": strings.Repeat("a", half)},
			BinaryData: map[string][]byte{"binary": make([]byte, size-half)},
		}
	}
	for _, size := range []int{manifest.MaxDataBytes, manifest.MaxDataBytes + 1} {
		cm := configMap(size)
		data, encodeErr := manifest.Encode(cm)
		var obj unstructured.Unstructured
		raw, err := yaml.Marshal(cm)
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(raw, &obj.Object); err != nil {
			t.Fatal(err)
		}
		serverErr := kube.Apply(ctx, &obj, true)
		admitted := size <= manifest.MaxDataBytes
		if admitted != (serverErr == nil) {
			t.Errorf("%d bytes: the API server says %v, want admitted=%v", size, serverErr, admitted)
		}
		if !admitted && (serverErr == nil || !strings.Contains(serverErr.Error(), "Too long")) {
			t.Errorf("%d bytes: the API server refused it otherwise: %v", size, serverErr)
		}
		if admitted != (encodeErr == nil) {
			t.Errorf("%d bytes: Encode says %v, want admitted=%v", size, encodeErr, admitted)
		}
		if encodeErr != nil && !strings.Contains(encodeErr.Error(), "ConfigMap big") {
			t.Errorf("%d bytes: the error does not name the ConfigMap: %v", size, encodeErr)
		}
		if encodeErr == nil && len(data) == 0 {
			t.Errorf("%d bytes: encoded nothing", size)
		}
	}
}
