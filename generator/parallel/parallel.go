// Package parallel runs independent steps of one stage on every core: rendering the
// units, staging files, checking a unit's recorded files, verifying certificates. It owns the one worker loop
// they share.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls do(i) for every i below n on one goroutine per core and returns the error
// of the lowest i that failed, as a loop would. Indices are taken in ascending order
// and none is taken after a failure, so every index below the failed one has run.
func For(n int, do func(i int) error) error {
	errs := make([]error, n)
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if errs[i] = do(i); errs[i] != nil {
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
