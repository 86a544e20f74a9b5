package besu

import (
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Storage class and size come from the node (defaulted from its cluster in CUE), and the
// data storage format is explicit. With BONSAI and --sync-mode=FULL Besu 24.12.2 cannot
// prune trie logs (besu/.../cli/BesuCommand.java getDataStorageConfiguration forces
// --bonsai-limit-trie-logs-enabled=false, and refuses it set to true): the renderer says
// so itself instead of relying on the warning.
func TestStorage(t *testing.T) {
	network := reference(t)
	for name, r := range renderNodes(t, network) {
		node := network.Nodes[name]
		claim := r.sts.Spec.VolumeClaimTemplates[0]
		if node.Storage.Class == "" || claim.Spec.StorageClassName == nil || *claim.Spec.StorageClassName != node.Storage.Class {
			t.Errorf("%s: storage class %v, want %q", name, claim.Spec.StorageClassName, node.Storage.Class)
		}
		size := claim.Spec.Resources.Requests.Storage()
		if size.String() != node.Storage.Size {
			t.Errorf("%s: size %s, want %s", name, size, node.Storage.Size)
		}
		opts := options(t, container(t, r.sts, "besu").Args)
		if opts["--sync-mode"] != "FULL" || opts["--data-storage-format"] != node.Storage.Format {
			t.Errorf("%s: sync %s, format %s", name, opts["--sync-mode"], opts["--data-storage-format"])
		}
		if limit, ok := opts["--bonsai-limit-trie-logs-enabled"]; (node.Storage.Format == model.StorageBonsai) != ok || (ok && limit != "false") {
			t.Errorf("%s: --bonsai-limit-trie-logs-enabled=%q (set %v) with %s", name, limit, ok, node.Storage.Format)
		}
	}
	// The on-premises cluster overrides the size in CUE.
	if got := network.Nodes["woodgrove-validator-1"].Storage; got.Size != "100Gi" || got.Class != "local-nvme" {
		t.Errorf("woodgrove-validator-1 storage %+v, want the cluster's 100Gi on local-nvme", got)
	}
}
