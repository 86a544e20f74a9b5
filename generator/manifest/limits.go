package manifest

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// MaxDataBytes is the most an API server stores in one ConfigMap's or Secret's data
// and binaryData together: core.MaxSecretSize, 1 MiB, which ValidateConfigMap and
// ValidateSecret compare with the sum of the values' lengths (k8s.io/kubernetes
// v1.36.3 pkg/apis/core/types.go and pkg/apis/core/validation/validation.go).
const MaxDataBytes = 1 << 20

// checkDataSize refuses a ConfigMap or Secret that no API server would admit, so a
// network too large for one fails at generate, naming the object, rather than at
// apply in every cluster that reconciles it.
func checkDataSize(obj any) error {
	var kind, name string
	total := 0
	switch o := obj.(type) {
	case *corev1.ConfigMap:
		kind, name = "ConfigMap", o.Name
		for _, v := range o.Data {
			total += len(v)
		}
		for _, v := range o.BinaryData {
			total += len(v)
		}
	case *corev1.Secret:
		kind, name = "Secret", o.Name
		for _, v := range o.Data {
			total += len(v)
		}
		for _, v := range o.StringData {
			total += len(v)
		}
	default:
		return nil
	}
	if total > MaxDataBytes {
		return fmt.Errorf("%s %s would hold %d bytes, more than the %d (1 MiB) a Kubernetes API server admits in one %s", kind, name, total, MaxDataBytes, kind)
	}
	return nil
}
