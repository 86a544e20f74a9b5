package parallel_test

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/flux-ledger/flux-ledger/generator/parallel"
)

func TestForRunsEveryIndexOnce(t *testing.T) {
	const n = 1000
	var ran [n]atomic.Int32
	if err := parallel.For(n, func(i int) error { ran[i].Add(1); return nil }); err != nil {
		t.Fatal(err)
	}
	for i := range ran {
		if got := ran[i].Load(); got != 1 {
			t.Fatalf("index %d ran %d times", i, got)
		}
	}
	if err := parallel.For(0, func(int) error { t.Fatal("called with n = 0"); return nil }); err != nil {
		t.Fatal(err)
	}
}

// The error returned is the lowest failing index's, whichever worker failed first,
// and every index below it ran.
func TestForReturnsTheLowestFailure(t *testing.T) {
	const n = 500
	var ran [n]atomic.Bool
	err := parallel.For(n, func(i int) error {
		ran[i].Store(true)
		if i == 300 || i == 301 || i == 450 {
			return fmt.Errorf("step %d", i)
		}
		return nil
	})
	if err == nil || err.Error() != "step 300" {
		t.Fatalf("error %v, want step 300", err)
	}
	for i := range 300 {
		if !ran[i].Load() {
			t.Fatalf("index %d below the failure did not run", i)
		}
	}
	if err := parallel.For(3, func(i int) error { return errors.New("x") }); err == nil {
		t.Fatal("no error")
	}
}
