//go:build !linux

package tree

import "os"

// flushStaged makes every staged file durable before any rename. Only Linux has
// syncfs(2), and sync(2) elsewhere may return before the data is written (macOS
// sync(2), BUGS), so each file is synced: on macOS os.File.Sync is
// fcntl(F_FULLFSYNC) (Go's internal/poll/fd_fsync_darwin.go).
func flushStaged(_ string, staged []string) error {
	for _, name := range staged {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}
