package besu

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// votesConfigMap is the validator-votes ConfigMap of a cluster that runs validators:
// their pods mount it and do not start without it. It holds an empty list (no change
// wanted), so a running network's validators vote for nothing.
func (r *partyRenderer) votesConfigMap(nodes []model.Node) *corev1.ConfigMap {
	for _, n := range nodes {
		if n.IsValidator() {
			return &corev1.ConfigMap{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
				ObjectMeta: r.meta(VotesConfigMap, ""),
				Data:       map[string]string{VotesFile: ""},
			}
		}
	}
	return nil
}
