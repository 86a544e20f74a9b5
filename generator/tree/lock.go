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
	// Never through a link: a committed .flux-ledger.lock -> /anywhere would make
	// every writer create or open a file outside the repository. O_NONBLOCK so a FIFO
	// is refused below rather than waited on.
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0o644)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("%s: a symbolic link; flux-ledger never opens its lock through a link: delete it (the lock belongs in .gitignore, not in the repository)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("lock repository: %w", err)
	}
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("lock repository: %w", err)
		}
		return nil, fmt.Errorf("%s: not a regular file (%s): delete it (the lock belongs in .gitignore, not in the repository)", path, info.Mode().Type())
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
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) // closing f releases the lock too (flock(2))
		f.Close()
	}, nil
}
