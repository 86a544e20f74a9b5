package load

import (
	"fmt"
	"os"
	"runtime/metrics"
	"strconv"
	"time"
)

// Bounds on one evaluation of a network. CUE evaluates whatever the repository's files
// ask for: a comprehension over a huge range, written by any party with write access,
// would run for minutes or take every byte of memory of the CI runner or the operator's
// machine. The defaults leave ample room: the largest synthetic network measured
// (3,000 parties) took 15 s and 1.6 GB to vet.
var (
	EvaluationTimeout = envDuration("FLUX_LEDGER_CUE_TIMEOUT", 3*time.Minute)
	EvaluationMemory  = envMiB("FLUX_LEDGER_CUE_MEMORY_MIB", 4096)
)

// Network loads the CUE module rooted at dir (the directory holding cue.mod), checks
// that it is valid and fully concrete under the schema built into the binary, and
// decodes it. A module whose schema/ differs from the binary's is refused with a
// *SchemaError, unless SchemaDevEnv is set.
func Network(dir string) (*Result, error) {
	return Load(dir, Options{})
}

// Load is Network with options, within EvaluationTimeout and EvaluationMemory (the
// process's heap). CUE's evaluation cannot be cancelled: past a bound the error
// returns at once and the evaluation is left to the process's exit, which every
// command reaches on an error.
func Load(dir string, opts Options) (*Result, error) {
	type outcome struct {
		result *Result
		err    error
	}
	done := make(chan outcome, 1)
	go func() {
		r, err := evaluate(dir, opts)
		done <- outcome{r, err}
	}()
	deadline := time.NewTimer(EvaluationTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	heap := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	for {
		select {
		case o := <-done:
			return o.result, o.err
		case <-deadline.C:
			return nil, fmt.Errorf("%s: evaluating the network took longer than %s, the time bound (FLUX_LEDGER_CUE_TIMEOUT): look for a comprehension over a large range", dir, EvaluationTimeout)
		case <-tick.C:
			metrics.Read(heap)
			if used := heap[0].Value.Uint64() >> 20; used > EvaluationMemory {
				return nil, fmt.Errorf("%s: evaluating the network used %d MiB, above the memory bound of %d MiB (FLUX_LEDGER_CUE_MEMORY_MIB): look for a comprehension over a large range", dir, used, EvaluationMemory)
			}
		}
	}
}

func envDuration(name string, fallback time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return fallback
}

func envMiB(name string, fallback uint64) uint64 {
	if n, err := strconv.ParseUint(os.Getenv(name), 10, 64); err == nil && n > 0 {
		return n
	}
	return fallback
}
