package besu

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// parseJavaOpts reads -Xmx<n>m and -XX:MaxDirectMemorySize=<n>m back from JAVA_OPTS
// (Besu 24.12.2 besu/src/main/scripts/unixStartScript.txt passes $JAVA_OPTS to java
// after DEFAULT_JVM_OPTS, which sets no heap size).
func parseJavaOpts(t *testing.T, opts string) (heap, direct int64) {
	t.Helper()
	for _, opt := range strings.Fields(opts) {
		switch {
		case strings.HasPrefix(opt, "-Xmx"):
			fmt.Sscanf(opt, "-Xmx%dm", &heap)
		case strings.HasPrefix(opt, "-XX:MaxDirectMemorySize="):
			fmt.Sscanf(opt, "-XX:MaxDirectMemorySize=%dm", &direct)
		case strings.Contains(opt, "RAMPercentage"):
			t.Errorf("JAVA_OPTS %q sizes the heap by percentage", opts)
		}
	}
	if heap == 0 || direct == 0 {
		t.Fatalf("JAVA_OPTS %q lacks -Xmx or MaxDirectMemorySize", opts)
	}
	return heap, direct
}

// heap + direct buffers + 1 GiB of native memory (RocksDB's 128 MiB block cache per
// database, RocksDBCLIOptions.DEFAULT_CACHE_CAPACITY, plus memtables and indexes; JVM
// metaspace, code cache, thread stacks) fit in the container's memory limit, checked on
// the rendered StatefulSets against the limit Kubernetes enforces.
func TestHeapAndNativeMemoryFitTheLimit(t *testing.T) {
	network := reference(t)
	for _, limit := range []string{"2304Mi", "3Gi", "4Gi", "8Gi", "16Gi"} {
		n := clone(network)
		for name, node := range n.Nodes {
			node.Resources.Limits.Memory = limit
			n.Nodes[name] = node
		}
		for name, r := range renderNodes(t, n) {
			besu := container(t, r.sts, "besu")
			var opts string
			for _, env := range besu.Env {
				if env.Name == "JAVA_OPTS" {
					opts = env.Value
				}
			}
			heap, direct := parseJavaOpts(t, opts)
			mem := besu.Resources.Limits.Memory()
			limitMiB := mem.Value() >> 20
			if heap+direct+1024 > limitMiB {
				t.Errorf("%s @%s: heap %d + direct %d + native 1024 MiB > limit %d MiB", name, limit, heap, direct, limitMiB)
			}
			if heap < 1024 {
				t.Errorf("%s @%s: heap %d MiB < 1 GiB", name, limit, heap)
			}
			if heap > limitMiB/2 {
				t.Errorf("%s @%s: heap %d MiB is more than half of %d MiB", name, limit, heap, limitMiB)
			}
		}
	}
	// The reference limit, 4 GiB: a 2 GiB heap (was 3 GiB with MaxRAMPercentage=75).
	h, err := HeapFor(model.Node{Resources: model.Resources{Limits: model.ResourceList{Memory: "4Gi"}}})
	if err != nil || h.HeapMiB != 2048 || h.DirectMiB != 256 {
		t.Errorf("4Gi: %+v, %v", h, err)
	}
}

// A limit too small for a 1 GiB heap plus native memory is refused, naming the field
// and the smallest limit that works; that smallest limit is accepted.
func TestTooSmallMemoryLimitIsRefused(t *testing.T) {
	node := model.Node{Name: "v1", Resources: model.Resources{Limits: model.ResourceList{Memory: "2Gi"}}}
	_, err := HeapFor(node)
	if err == nil || !strings.Contains(err.Error(), "resources.limits.memory") || !strings.Contains(err.Error(), "2304Mi") {
		t.Fatalf("err = %v", err)
	}
	node.Resources.Limits.Memory = "2304Mi"
	if _, err := HeapFor(node); err != nil {
		t.Error(err)
	}
}
