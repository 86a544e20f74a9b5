package besu

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/flux-ledger/flux-ledger/generator/model"
)

// Besu's memory outside the Java heap, in MiB. RocksDB's block cache alone is 128 MiB
// (RocksDBCLIOptions.DEFAULT_CACHE_CAPACITY) per database, plus its memtables, index
// and filter blocks; the JVM adds metaspace, the code cache (240 MiB reserved) and
// thread stacks. Netty's direct buffers are capped separately by MaxDirectMemorySize
// (by default the JVM lets them grow as large as the heap).
const (
	nativeReserveMiB = 1024
	directMemoryMiB  = 256
	minHeapMiB       = 1024
)

// Heap is a node's JVM memory plan for a container memory limit L (MiB):
//
//	direct = 256 MiB                           (-XX:MaxDirectMemorySize)
//	heap   = min(L/2, L − 1024 MiB − direct)   (-Xmx)
//
// so that heap + direct + 1024 MiB of native memory (RocksDB, metaspace, code cache,
// threads) ≤ L, and for larger limits half the container stays outside the heap, where
// RocksDB's caches grow with the database.
type Heap struct {
	LimitMiB, HeapMiB, DirectMiB, NativeMiB int64
}

// JavaOpts are the JVM options Besu's start script reads from JAVA_OPTS.
func (h Heap) JavaOpts() string {
	return fmt.Sprintf("-Xmx%dm -XX:MaxDirectMemorySize=%dm", h.HeapMiB, h.DirectMiB)
}

// HeapFor plans the heap of a node from its memory limit, or says why the limit is too
// small.
func HeapFor(node model.Node) (Heap, error) {
	limit, err := resource.ParseQuantity(node.Resources.Limits.Memory)
	if err != nil {
		return Heap{}, fmt.Errorf("resources.limits.memory %q: %w", node.Resources.Limits.Memory, err)
	}
	l := limit.Value() / (1 << 20)
	h := Heap{LimitMiB: l, DirectMiB: directMemoryMiB, NativeMiB: nativeReserveMiB}
	h.HeapMiB = min(l/2, l-nativeReserveMiB-directMemoryMiB)
	if h.HeapMiB < minHeapMiB {
		return Heap{}, fmt.Errorf("resources.limits.memory %s leaves a Java heap of %d MiB (formula min(L/2, L-%d MiB)); Besu needs at least %d MiB: set it to at least %dMi",
			node.Resources.Limits.Memory, h.HeapMiB, nativeReserveMiB+directMemoryMiB, minHeapMiB, max(2*minHeapMiB, minHeapMiB+nativeReserveMiB+directMemoryMiB))
	}
	return h, nil
}
