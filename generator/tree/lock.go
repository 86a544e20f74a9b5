package tree

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// LockFile is the lock a writer holds on the repository root while it writes.
const LockFile = ".flux-ledger.lock"

// Lock takes an exclusive lock on the repository so two writers never interleave. It
// waits up to timeout for a running writer to finish, then fails naming the lock. The
// kernel releases the lock if the process dies, so a killed run never leaves it stuck.
func Lock(root string, timeout time.Duration) (unlock func(), err error) {
	path := filepath.Join(root, LockFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock repository: %w", err)
	}
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("%s: another flux-ledger is writing this repository (waited %s)", path, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
